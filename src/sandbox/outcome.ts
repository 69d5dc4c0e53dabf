import { z } from 'zod';
import { failure, type Outcome } from './protocol.ts';

/** How failures and profiles leaving the isolate are turned into outcomes. */

/** The file name the admin's script is compiled under; stack frames with it carry script lines. */
export const SCRIPT_FILENAME = 'fetchUserProfile.js';

const MAX_PROFILE_BYTES = 1_000_000;

const ProfileSchema = z.looseObject(
  {
    user_id: z.union([z.string().min(1, { error: 'the profile user_id must be a non-empty string or a number' }), z.number().finite()], {
      error: (issue) => (issue.input === undefined ? 'the profile has no user_id (a non-empty string or a number is required)'
        : 'the profile user_id must be a non-empty string or a number'),
    }),
  },
  { error: 'the profile must be a plain object with a user_id' },
);

/** Line (1-based, within the admin's script) of the innermost stack frame in the script. */
export function scriptLine(stack: string): number | undefined {
  const match = new RegExp(`${SCRIPT_FILENAME.replace('.', '\\.')}:(\\d+)`).exec(stack);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** A compile error: isolated-vm appends ` [file:line:column]` to the message. */
export function syntaxOutcome(err: unknown): Outcome {
  const message = err instanceof Error ? err.message : String(err);
  const at = /\s*\[[^\]]*:(\d+):\d+\]$/.exec(message);
  return failure('syntax', message.slice(0, at?.index ?? message.length), at?.[1] === undefined ? undefined : Number(at[1]));
}

const ErrorInfoSchema = z.object({ message: z.string(), stack: z.string() });

/** An error reported by the isolate (`thrown` or `callback_error`), with its script line. */
export function errorOutcome(kind: 'thrown' | 'callback_error' | 'syntax', payload: unknown): Outcome {
  const info = ErrorInfoSchema.safeParse(payload);
  if (!info.success) return failure(kind, typeof payload === 'string' ? payload : 'the script failed');
  const message = info.data.message.slice(0, 2000) || (kind === 'callback_error' ? 'the script called back with an error' : 'the script threw');
  return failure(kind, message, scriptLine(info.data.stack));
}

/** Checks the profile JSON the script produced and returns it as plain data. */
export function profileOutcome(json: unknown): Outcome {
  if (typeof json !== 'string') return failure('invalid_result', 'the script produced no profile (cb(null, profile) or return a profile)');
  if (json.length > MAX_PROFILE_BYTES) return failure('invalid_result', `the profile is larger than ${MAX_PROFILE_BYTES} bytes`);
  const parsed = ProfileSchema.safeParse(JSON.parse(json));
  if (!parsed.success) return failure('invalid_result', parsed.error.issues[0]?.message ?? 'the profile is invalid');
  return { ok: true, profile: parsed.data };
}
