import { PROFILE_SCRIPT_FORM, type ScriptResult, type ScriptRunner } from '../sandbox/types.ts';
import type { ConnectionRecord } from '../store/types.ts';
import type { EngineOptions } from './engine-options.ts';
import { checkProfile, type ProfileSchema } from '../users/profile.ts';
import type { z } from 'zod';
import { ConnectionError } from './errors.ts';
import type { UpstreamTokens } from './token-response.ts';

const WHAT: Record<Exclude<ScriptResult, { ok: true }>['kind'], string> = {
  syntax: 'has a syntax error',
  not_a_function: 'is not a function',
  thrown: 'threw an error',
  callback_error: 'reported an error',
  timeout: 'took too long',
  memory: 'ran out of memory',
  no_callback: 'finished without calling its callback',
  egress_denied: 'tried a request the egress policy forbids',
  request_limit: 'made too many or too large requests',
  invalid_result: 'returned an invalid profile',
  crashed: 'could not run (the sandbox stopped)',
};

/**
 * The connection's fetchUserProfile. Without one no login can end in a user, so this is asked
 * before the user leaves for the provider (and again before the code is exchanged, in case the
 * script was removed meanwhile): nobody signs in at the provider, and no token is requested,
 * for a login that cannot succeed.
 */
export function profileScriptOf(connection: ConnectionRecord, options: EngineOptions): string {
  const script = options.scripts?.fetchUserProfile;
  if (script !== undefined) return script;
  throw new ConnectionError('no_profile_script', `connection "${connection.name}" has no fetchUserProfile script, so nobody can sign in through it yet: `
    + `add options.scripts.fetchUserProfile (${PROFILE_SCRIPT_FORM}) with PATCH /api/v2/connections/${connection.id} (a PATCH replaces the whole options object: send the other options too)`);
}

/** A profile as fetchUserProfile returned it, validated. */
export type UpstreamProfile = z.infer<typeof ProfileSchema>;

/** Runs the connection's fetchUserProfile and validates what it returns. */
export async function fetchProfile(runner: ScriptRunner, input: {
  connection: string; cacheKey: string; script: string; tokens: UpstreamTokens; vars?: Record<string, string>;
  /** A try's recorder: the run is traced and its raw result handed over before it is checked. */
  trace?: (result: ScriptResult) => void;
}): Promise<UpstreamProfile> {
  // A per-tenant login's template values reach the script as ctx.template_vars (unless the provider sent that key).
  const vars = input.vars && Object.keys(input.vars).length && !('template_vars' in input.tokens.raw) ? { template_vars: input.vars } : {};
  const result = await runner.run({
    cacheKey: input.cacheKey, script: input.script, accessToken: input.tokens.accessToken, context: { ...input.tokens.raw, ...vars },
    ...(input.trace ? { trace: true } : {}),
  });
  input.trace?.(result);
  if (!result.ok) {
    const line = result.line !== undefined ? ` (line ${result.line})` : '';
    throw new ConnectionError(`script_${result.kind}`,
      `connection "${input.connection}": fetchUserProfile ${WHAT[result.kind]}: ${result.message.slice(0, 500)}${line}`);
  }
  const checked = checkProfile(result.profile);
  if (!checked.ok) throw new ConnectionError('script_invalid_result', `connection "${input.connection}": fetchUserProfile returned ${checked.message}`);
  return checked.value;
}
