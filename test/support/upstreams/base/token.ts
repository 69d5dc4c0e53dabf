/** The token endpoint every emulator runs: client authentication, code redemption, refresh. */
import { basicCredentials, bodyParams, verifierMatches } from './grants.ts';
import type { RefreshMode } from './grants.ts';
import type { Ctx } from './http.ts';
import type { CodeGrant, Reply, TokenGrant } from './types.ts';
import type { Core } from './upstream.ts';

/** Why a token request failed, before the provider words it in its own dialect. */
export type Reason =
  | 'invalid_request' | 'unknown_client' | 'bad_secret' | 'auth_method' | 'bad_code' | 'code_reused'
  | 'code_expired' | 'redirect_mismatch' | 'pkce' | 'grant_type' | 'bad_refresh' | 'scope';

export interface TokenProblem {
  reason: Reason;
  detail: string;
}

/** RFC 6749 §5.2 wording of each reason: [error, HTTP status]. */
export const rfcError: Record<Reason, [string, number]> = {
  invalid_request: ['invalid_request', 400], unknown_client: ['invalid_client', 401], bad_secret: ['invalid_client', 401],
  auth_method: ['invalid_client', 401], bad_code: ['invalid_grant', 400], code_reused: ['invalid_grant', 400],
  code_expired: ['invalid_grant', 400], redirect_mismatch: ['invalid_grant', 400], pkce: ['invalid_grant', 400],
  grant_type: ['unsupported_grant_type', 400], bad_refresh: ['invalid_grant', 400], scope: ['invalid_scope', 400],
};

export interface TokenRules {
  /** Name of the client id parameter (TikTok: client_key). */
  clientParam?: string;
  bodyTypes: Array<'form' | 'json'>;
  /** Accepted authentication of a confidential client: HTTP Basic and/or client_secret in the body. */
  clientAuth: Array<'basic' | 'post'>;
  grantTypeRequired: boolean;
  /** rfc: required iff sent at authorize, identical; required: always; lenient: optional, but must match. */
  redirectUri: 'rfc' | 'required' | 'lenient';
  refresh: RefreshMode | 'none';
  /** Whether a code exchange yields a refresh token (e.g. only with offline.access). */
  issueRefresh(code: CodeGrant): boolean;
  pkceEncoding?: 'base64url' | 'hex';
  /** Provider-specific checks run before anything else (required headers, forbidden body secrets). */
  check?(ctx: Ctx, params: Record<string, string>): TokenProblem | undefined;
  success(token: TokenGrant, ctx: Ctx, params: Record<string, string>): Reply;
  error(problem: TokenProblem, ctx: Ctx): Reply;
}

const problem = (reason: Reason, detail: string): TokenProblem => ({ reason, detail });

function authenticate(core: Core, ctx: Ctx, p: Record<string, string>, rules: TokenRules): string | TokenProblem {
  const idParam = rules.clientParam ?? 'client_id';
  const basic = basicCredentials(ctx.req);
  const bodyId = p[idParam];
  const bodySecret = p.client_secret;
  if (basic && bodySecret !== undefined) return problem('invalid_request', 'more than one client authentication method used');
  if (basic && bodyId !== undefined && bodyId !== basic.id) return problem('invalid_request', `${idParam} differs from the Basic credentials`);
  const { clientId, clientSecret } = core.options;
  if (clientSecret === undefined) {
    if (basic || bodySecret !== undefined) return problem('auth_method', 'public client must not authenticate with a secret');
    if (bodyId === undefined) return problem('invalid_request', `missing ${idParam}`);
    return bodyId === clientId ? clientId : problem('unknown_client', `unknown ${idParam}`);
  }
  const method = basic ? 'basic' : bodySecret !== undefined ? 'post' : undefined;
  if (!method) return problem('auth_method', 'client authentication required');
  if (!rules.clientAuth.includes(method)) return problem('auth_method', `client authentication by ${method === 'basic' ? 'HTTP Basic' : 'client_secret in the body'} is not accepted`);
  const id = basic?.id ?? bodyId;
  if (id !== clientId) return problem('unknown_client', `unknown ${idParam}`);
  return (basic?.secret ?? bodySecret) === clientSecret ? clientId : problem('bad_secret', 'client secret does not match');
}

function redeem(core: Core, ctx: Ctx, p: Record<string, string>, rules: TokenRules, clientId: string): TokenGrant | TokenProblem {
  if (p.code === undefined) return problem('invalid_request', 'missing code');
  const code = core.grants.takeCode(p.code);
  if (code === 'unknown') return problem('bad_code', 'unknown authorization code');
  if (code === 'reused') return problem('code_reused', 'authorization code already used');
  if (code === 'expired') return problem('code_expired', 'authorization code expired');
  if (code.clientId !== clientId) return problem('bad_code', 'authorization code was issued to another client');
  if (code.tenant !== ctx.tenant) return problem('bad_code', 'authorization code was issued by another tenant');
  const sent = p.redirect_uri;
  const mustSend = rules.redirectUri === 'required' || (rules.redirectUri === 'rfc' && code.redirectUriSent);
  if (sent === undefined && mustSend) return problem('invalid_request', 'missing redirect_uri');
  if (sent !== undefined && sent !== code.redirectUri) return problem('redirect_mismatch', 'redirect_uri differs from the authorization request');
  const verifier = p.code_verifier;
  if (code.challenge) {
    if (verifier === undefined) return problem('pkce', 'missing code_verifier');
    if (!verifierMatches(code.challenge, verifier, rules.pkceEncoding)) return problem('pkce', 'code_verifier does not match code_challenge');
  } else if (verifier !== undefined) {
    return problem('pkce', 'code_verifier sent but the authorization request had no code_challenge');
  }
  return core.grants.issueTokens({
    clientId, scopes: code.scopes, userId: code.userId, tenant: code.tenant, withRefresh: rules.issueRefresh(code),
    fromCode: code.code, query: code.query,
  });
}

function refresh(core: Core, ctx: Ctx, p: Record<string, string>, mode: RefreshMode, clientId: string): TokenGrant | TokenProblem {
  if (p.refresh_token === undefined) return problem('invalid_request', 'missing refresh_token');
  const old = core.grants.findRefresh(p.refresh_token);
  if (!old || old.clientId !== clientId || old.tenant !== ctx.tenant) return problem('bad_refresh', 'unknown, revoked or rotated refresh token');
  const asked = p.scope === undefined ? old.scopes : p.scope.split(/[ ,]/).filter(Boolean);
  if (asked.some((s) => !old.scopes.includes(s))) return problem('scope', 'refresh may not widen the granted scope');
  return core.grants.refresh(old, mode, asked);
}

/** Handles one token request according to the provider's rules. */
export function token(core: Core, ctx: Ctx, rules: TokenRules): Reply {
  const fault = core.faults.token;
  if (fault?.kind === 'invalid_client') return rules.error(problem('bad_secret', 'injected failure'), ctx);
  if (fault?.kind === 'invalid_grant') return rules.error(problem('bad_code', 'injected failure'), ctx);
  const p = bodyParams(ctx.req, rules.bodyTypes);
  const fail = (x: TokenProblem): Reply => rules.error(x, ctx);
  if (ctx.req.method !== 'POST') return fail(problem('invalid_request', 'token requests must be POST'));
  if (ctx.req.repeated.length > 0) return fail(problem('invalid_request', `parameters sent more than once: ${ctx.req.repeated.join(', ')}`));
  const extra = rules.check?.(ctx, p);
  if (extra) return fail(extra);
  const client = authenticate(core, ctx, p, rules);
  if (typeof client !== 'string') return fail(client);
  const grantType = p.grant_type ?? (rules.grantTypeRequired ? undefined : 'authorization_code');
  let result: TokenGrant | TokenProblem;
  if (grantType === undefined) result = problem('invalid_request', 'missing grant_type');
  else if (grantType === 'authorization_code') result = redeem(core, ctx, p, rules, client);
  else if (grantType === 'refresh_token' && rules.refresh !== 'none') result = refresh(core, ctx, p, rules.refresh, client);
  else result = problem('grant_type', `grant_type "${grantType}" is not supported`);
  return 'reason' in result ? fail(result) : rules.success(result, ctx, p);
}
