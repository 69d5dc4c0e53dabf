import type { DryRunOutcome, StepTiming, TokenTrace } from '../../connections/dry-run.ts';
import type { EngineOptions } from '../../connections/engine-options.ts';
import { ROOT_ATTRIBUTES } from '../../lib/profile.ts';
import { SCOPE_CLAIMS } from '../../oidc/account.ts';
import type { ScriptTrace } from '../../sandbox/types.ts';
import { fixFor, type FailedStep, type Fix } from './fixes.ts';
import { masker } from './mask.ts';
import type { AuthorizeTrace } from './tickets.ts';

/** The result page of a try, as stored (already masked) and rendered. */
export interface TryReport {
  connection: { id: string; name: string };
  ok: boolean;
  redirectUri: string;
  failure?: { step: FailedStep; code: string; providerError?: string; message: string } & Fix;
  authorize?: AuthorizeTrace;
  steps: Array<StepTiming & { label: FailedStep | 'report' }>;
  token?: TokenTrace;
  script?: ScriptTrace;
  scriptProfile?: Record<string, unknown>;
  user?: { user_id: string; root: Record<string, unknown>; identity: Record<string, unknown>; exists: boolean; setRootAttributes: string };
  /** The id_token claims for an app asking `openid profile email` (besides iss, aud, exp, iat, nonce). */
  claims?: Record<string, unknown>;
}

/** Which part of the login each callback step belongs to (the names of CALLBACK_STEPS). */
const STEP_GROUP: Record<string, FailedStep | 'report'> = {
  readState: 'callback', loadAttempt: 'callback', checkBrowserBinding: 'callback', checkCallbackAddress: 'callback', loadConnection: 'callback',
  checkUpstreamError: 'authorize at the provider', checkCode: 'callback', loadOptions: 'callback', checkIssuer: 'callback',
  exchangeCode: 'token request', runProfile: 'script', refuseBlockedUser: 'blocked user', saveUser: 'profile validation', complete: 'report',
};

function failedStep(step: string, code: string): FailedStep {
  if (code === 'script_invalid_result') return 'profile validation';
  const group = STEP_GROUP[step];
  return group === undefined || group === 'report' ? 'callback' : group;
}

/** The claims an id_token for `openid profile email` would carry from these root attributes. */
function idTokenClaims(userId: string, root: Record<string, unknown>, now: string): Record<string, unknown> {
  const released = new Set<string>([...SCOPE_CLAIMS.openid, ...SCOPE_CLAIMS.profile, ...SCOPE_CLAIMS.email]);
  const claims: Record<string, unknown> = { sub: userId };
  for (const key of ROOT_ATTRIBUTES) if (released.has(key) && root[key] !== undefined) claims[key] = root[key];
  claims['updated_at'] = now;
  return claims;
}

/** Builds the masked report of a finished try. */
export function buildReport(o: {
  outcome: DryRunOutcome; options: EngineOptions | undefined; redirectUri: string; authorize: AuthorizeTrace | undefined; userExists: boolean;
}): TryReport {
  const { outcome, options } = o;
  const { trace, connection, failure } = outcome;
  const report: TryReport = {
    connection: { id: connection.id, name: connection.name },
    ok: !failure,
    redirectUri: o.redirectUri,
    steps: trace.steps.map((s) => ({ ...s, label: STEP_GROUP[s.step] ?? 'callback' })),
    ...(o.authorize ? { authorize: o.authorize } : {}),
    ...(trace.token ? { token: trace.token } : {}),
    ...(trace.script ? { script: trace.script } : {}),
    ...(trace.scriptProfile ? { scriptProfile: trace.scriptProfile } : {}),
  };
  if (failure) {
    const step = failedStep(failure.step, failure.error.code);
    const fix = fixFor({
      code: failure.error.code, step, message: failure.error.message, redirectUri: o.redirectUri,
      ...(failure.error.providerError ? { providerError: failure.error.providerError } : {}),
      options: { token_endpoint_auth_method: options?.token_endpoint_auth_method ?? 'client_secret_post', pkce_enabled: options?.pkce_enabled ?? false, scope: options?.scope },
    });
    report.failure = { step, code: failure.error.code, message: failure.error.message, ...(failure.error.providerError ? { providerError: failure.error.providerError } : {}), ...fix };
  } else if (trace.preview) {
    const p = trace.preview;
    const { provider, connection: conn, user_id, isSocial, profileData } = p.identity;
    report.user = {
      user_id: p.user_id, root: { ...p.root }, identity: { provider, connection: conn, user_id, isSocial, profileData }, exists: o.userExists,
      setRootAttributes: p.setRootAttributes,
    };
    report.claims = idTokenClaims(p.user_id, { ...p.root }, p.now);
  }
  const secrets = [...trace.secrets, options?.client_secret, ...Object.values(options?.customHeaders ?? {})];
  return masker(secrets)(report);
}
