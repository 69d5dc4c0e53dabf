import { z } from 'zod';
import { isRecord } from '../lib/is-record.ts';
import { UserIdSchema } from '../lib/profile.ts';
import { failure, type Outcome } from './protocol.ts';

/** How failures and profiles leaving the isolate are turned into outcomes. */

/** The file name the admin's script is compiled under; stack frames with it carry script lines. */
export const SCRIPT_FILENAME = 'fetchUserProfile.js';

const MAX_PROFILE_BYTES = 1_000_000;

/** Line (1-based, within the admin's script) of the innermost stack frame in the script. */
export function scriptLine(stack: string): number | undefined {
  const match = new RegExp(`${SCRIPT_FILENAME.replace('.', '\\.')}:(\\d+)`).exec(stack);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** How a profile script must be written; every "not a function" message shows it. */
export const EXPECTED_FORM = 'function (accessToken, ctx, cb) { ... }';

/** The runtime message for a script that is not a function, `problem` saying what it is instead. */
export const notAFunction = (problem: string): string => `the script must be a function expression such as ${EXPECTED_FORM}; ${problem}`;

/** A compile error, positioned in the admin's own text. */
export interface SyntaxProblem {
  message: string;
  line?: number;
  column?: number;
}

/**
 * Reads a compile error: isolated-vm appends ` [file:line:column]` to the message. The script
 * is compiled as `(` + its text, so positions on its first line are one column to the right.
 */
export function syntaxProblem(err: unknown): SyntaxProblem {
  const message = err instanceof Error ? err.message : String(err);
  const at = /\s*\[[^\]]*:(\d+):(\d+)\]$/.exec(message);
  if (!at) return { message };
  const line = Number(at[1]);
  const column = line === 1 ? Math.max(1, Number(at[2]) - 1) : Number(at[2]);
  return { message: message.slice(0, at.index), line, column };
}

/** A compile error as a run's outcome. */
export function syntaxOutcome(problem: SyntaxProblem): Outcome {
  return failure('syntax', problem.message, problem.line);
}

const ErrorInfoSchema = z.object({ message: z.string(), stack: z.string() });

/** An error reported by the isolate (`thrown` or `callback_error`), with its script line. */
export function errorOutcome(kind: 'thrown' | 'callback_error', payload: unknown): Outcome {
  const info = ErrorInfoSchema.safeParse(payload);
  if (!info.success) return failure(kind, typeof payload === 'string' ? payload : 'the script failed');
  const message = info.data.message.slice(0, 2000) || (kind === 'callback_error' ? 'the script called back with an error' : 'the script threw');
  return failure(kind, message, scriptLine(info.data.stack));
}

/** Checks the profile JSON the script produced and returns it as plain data. */
export function profileOutcome(json: unknown): Outcome {
  if (typeof json !== 'string') return failure('invalid_result', 'the script produced no profile (cb(null, profile) or return a profile)');
  if (json.length > MAX_PROFILE_BYTES) return failure('invalid_result', `the profile is larger than ${MAX_PROFILE_BYTES} bytes`);
  const profile: unknown = JSON.parse(json);
  const problem = profileProblem(profile);
  if (problem) return failure('invalid_result', problem);
  return { ok: true, profile: profile as Record<string, unknown> };
}

/**
 * What makes `value` no profile, or null. Only the part of lib/profile.ts's definition this
 * contract promises is checked (a plain object with a valid user_id); the data is handed on as
 * it came, since the root attributes are checked where the profile becomes a user.
 */
function profileProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'the profile must be a plain object with a user_id';
  if (value['user_id'] === undefined) return 'the profile has no user_id (a non-empty string or a number is required)';
  if (!UserIdSchema.safeParse(value['user_id']).success) return 'the profile user_id must be a non-empty string (at most 255 characters) or a number';
  return null;
}
