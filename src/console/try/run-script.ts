import { createHash } from 'node:crypto';
import { z } from 'zod';
import { secretValuesOf } from '../../connections/dry-run.ts';
import type { EngineOptions } from '../../connections/engine-options.ts';
import type { ScriptRunner, ScriptTrace } from '../../sandbox/types.ts';
import { checkProfile } from '../../users/profile.ts';
import { masker } from './mask.ts';

/**
 * "Run script": the saved or edited fetchUserProfile against a pasted access token and
 * token response, through the same sandbox as a login, traced. Nothing is stored.
 */

/** The form of the Run script page. */
export const RunScriptFormSchema = z.object({
  script: z.string().max(100_000).optional(),
  access_token: z.string().max(16_384).optional(),
  token_response: z.string().max(65_536).optional(),
});
export type RunScriptForm = z.infer<typeof RunScriptFormSchema>;

/** What the page shows after a run (masked). */
export interface RunScriptResult {
  ok: boolean;
  profile?: Record<string, unknown>;
  error?: { kind: string; message: string; line?: number };
  durationMs: number;
  trace?: ScriptTrace;
}

/** Parses the pasted token response; the message says what to fix. */
export function parseTokenResponse(text: string | undefined): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  if (!text?.trim()) return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `Token response is not valid JSON (${(err as Error).message}); paste the provider's whole JSON answer, or leave it empty.` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'Token response must be a JSON object, e.g. {"access_token": "...", "token_type": "Bearer"}.' };
  return { ok: true, value: value as Record<string, unknown> };
}

/** Runs `script` with the pasted values; every value of theirs is masked in the answer. */
export async function runScript(runner: ScriptRunner, input: {
  connectionId: string; script: string; accessToken: string; tokenResponse: Record<string, unknown>; options: EngineOptions | undefined;
}): Promise<RunScriptResult> {
  const digest = createHash('sha256').update(input.script).digest('base64url').slice(0, 16);
  const result = await runner.run({
    cacheKey: `run-script:${input.connectionId}:${digest}`, script: input.script, accessToken: input.accessToken, context: input.tokenResponse, trace: true,
  });
  const base = { durationMs: Math.round(result.durationMs), ...(result.trace ? { trace: result.trace } : {}) };
  let out: RunScriptResult;
  if (!result.ok) {
    out = { ok: false, ...base, error: { kind: result.kind, message: result.message, ...(result.line !== undefined ? { line: result.line } : {}) } };
  } else {
    const checked = checkProfile(result.profile);
    out = checked.ok ? { ok: true, ...base, profile: checked.value }
      : { ok: false, ...base, profile: result.profile, error: { kind: 'invalid_result', message: `fetchUserProfile returned ${checked.message}` } };
  }
  const secrets = [input.accessToken, ...secretValuesOf(input.tokenResponse), input.options?.client_secret, ...Object.values(input.options?.customHeaders ?? {})];
  return masker(secrets)(out);
}
