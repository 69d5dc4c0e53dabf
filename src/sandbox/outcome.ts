import { z } from 'zod';
import { isRecord } from '../lib/is-record.ts';
import { UserIdSchema } from '../lib/profile.ts';
import { failure, type Outcome } from './protocol.ts';
import { PROFILE_SCRIPT_FORM } from './types.ts';

/** How failures and profiles leaving the isolate are turned into outcomes. */

/** The file name the admin's script is compiled under; stack frames with it carry script lines. */
export const SCRIPT_FILENAME = 'fetchUserProfile.js';

const MAX_PROFILE_BYTES = 1_000_000;

/** Line (1-based, within the admin's script) of the innermost stack frame in the script. */
export function scriptLine(stack: string): number | undefined {
  const match = new RegExp(`${SCRIPT_FILENAME.replace('.', '\\.')}:(\\d+)`).exec(stack);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The runtime message for a script that is not a function, `problem` saying what it is instead. */
export const notAFunction = (problem: string): string => `write it as a function expression such as ${PROFILE_SCRIPT_FORM}; ${problem}`;

/** A compile error, positioned in the admin's own text. */
export interface SyntaxProblem {
  message: string;
  line?: number;
  column?: number;
}

/**
 * Reads a compile error of `code` (the admin's text as compiled: see wrapScript): isolated-vm
 * appends ` [file:line:column]` to the message. Positions on the first line are one column to
 * the right of the admin's; an error on the wrapper's closing line means the text ended early.
 */
export function syntaxProblem(err: unknown, code: string): SyntaxProblem {
  const message = err instanceof Error ? err.message : String(err);
  const at = /\s*\[[^\]]*:(\d+):(\d+)\]$/.exec(message);
  if (!at) return { message };
  const lines = code.split('\n').length - 1; // the last line is the wrapper's own ")"
  const line = Number(at[1]);
  if (line > lines) {
    const last = code.split('\n')[lines - 1] ?? '';
    return { message: 'Unexpected end of the script: a bracket, brace or string is not closed', line: lines, column: last.length + (lines === 1 ? 0 : 1) };
  }
  const column = line === 1 ? Math.max(1, Number(at[2]) - 1) : Number(at[2]);
  return { message: message.slice(0, at.index), line, column };
}

/** The admin's text as one parenthesised expression, with its first line kept as the first line (so positions match). */
export const wrapScript = (source: string): string => `(${source.replace(/[\s;]+$/, '')}\n)`;

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
