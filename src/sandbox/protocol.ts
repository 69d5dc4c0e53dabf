import { z } from 'zod';
import { SCRIPT_CHECK_FAILURES, SCRIPT_FAILURE_KINDS } from './types.ts';

/**
 * Messages between the runner (parent) and the sandbox process (child). Both sides parse
 * what they receive: the child is where untrusted code runs, so its answers are checked
 * like any other input.
 */

const FailureKind = z.enum(SCRIPT_FAILURE_KINDS);

export const LimitsSchema = z.object({
  timeoutMs: z.number().int().positive(),
  memoryMb: z.number().int().min(8),
  maxRequests: z.number().int().min(0),
  maxResponseBytes: z.number().int().positive(),
  egress: z.object({ allowInsecure: z.boolean(), allow: z.array(z.string()).readonly().optional(), timeoutMs: z.number().int().positive(), maxBytes: z.number().int().positive() }),
});

export const InputSchema = z.object({
  cacheKey: z.string(),
  script: z.string(),
  accessToken: z.string(),
  context: z.record(z.string(), z.unknown()),
  trace: z.boolean().optional(),
});

const TraceSchema = z.object({
  console: z.array(z.object({ level: z.enum(['log', 'info', 'warn', 'error', 'debug']), text: z.string() })),
  truncated: z.boolean(),
  requests: z.array(z.object({ method: z.string(), url: z.string(), status: z.number().int().optional(), error: z.string().optional(), ms: z.number() })),
});

/** A run's outcome as the child reports it (the parent adds `durationMs`). */
export const OutcomeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), profile: z.record(z.string(), z.unknown()), trace: TraceSchema.optional() }),
  z.object({ ok: z.literal(false), kind: FailureKind, message: z.string(), line: z.number().int().optional(), trace: TraceSchema.optional() }),
]);
export type Outcome = z.infer<typeof OutcomeSchema>;

/** A check's outcome as the child reports it (the parent adds `durationMs`). */
export const CheckOutcomeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({
    ok: z.literal(false), kind: z.enum(SCRIPT_CHECK_FAILURES), message: z.string(),
    line: z.number().int().optional(), column: z.number().int().optional(),
  }),
]);
export type CheckOutcome = z.infer<typeof CheckOutcomeSchema>;

export const ParentMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('init'), limits: LimitsSchema }),
  z.object({ t: z.literal('run'), id: z.number().int(), input: InputSchema }),
  z.object({ t: z.literal('check'), id: z.number().int(), script: z.string() }),
  z.object({ t: z.literal('cancel'), id: z.number().int() }),
  z.object({ t: z.literal('ping'), n: z.number().int() }),
]);
export type ParentMessage = z.infer<typeof ParentMessageSchema>;

export const ChildMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('ready') }),
  z.object({ t: z.literal('result'), id: z.number().int(), outcome: OutcomeSchema }),
  z.object({ t: z.literal('checked'), id: z.number().int(), check: CheckOutcomeSchema }),
  z.object({ t: z.literal('pong'), n: z.number().int() }),
  /** Sent just before the child ends itself after an unrecoverable isolate error. */
  z.object({ t: z.literal('fatal'), kind: z.enum(['memory', 'crashed']) }),
]);
export type ChildMessage = z.infer<typeof ChildMessageSchema>;

/** An outcome that is a failure. */
export type FailedOutcome = Extract<Outcome, { ok: false }>;

/** Shorthand for a failed outcome. */
export const failure = (kind: z.infer<typeof FailureKind>, message: string, line?: number): FailedOutcome =>
  line === undefined ? { ok: false, kind, message } : { ok: false, kind, message, line };
