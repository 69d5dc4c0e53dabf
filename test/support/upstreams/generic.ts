/**
 * A plain RFC 6749 provider (with RFC 7636 PKCE and RFC 6750 bearer use) whose strictness is configurable,
 * so tests can assert exactly what our server sends: client authentication method, PKCE, extra
 * authorize params (authParams) and extra token-request headers (customHeaders).
 */
import { authorize, caller, json, noStore, rfcError, startUpstream, token } from './base/index.ts';
import type { CommonOptions, Ctx, Reply, TokenGrant, TokenProblem, Upstream } from './base/index.ts';

export interface GenericOptions extends CommonOptions {
  /** The one accepted client authentication (default client_secret_basic, which RFC 6749 §2.3.1 makes mandatory to support). */
  clientAuth?: 'client_secret_basic' | 'client_secret_post';
  pkce?: 'required' | 'optional';
  pkceMethods?: Array<'S256' | 'plain'>;
  /** Known scopes (default openid profile email offline_access); 'any' accepts any RFC 6749 scope-token. */
  scopes?: string[] | 'any';
  /** Authorize parameters that must be present (true) or equal a value; else error=invalid_request. */
  requireAuthorizeParams?: Record<string, string | true>;
  /** Token request headers that must be present (true) or equal a value; else 400 invalid_request. */
  requireTokenHeaders?: Record<string, string | true>;
  /** Refresh behaviour (default rotate: each refresh retires the presented refresh token). */
  refresh?: 'none' | 'static' | 'reissue' | 'rotate';
  /** Accept a JSON token request body too (RFC 6749 only defines form encoding). */
  acceptJsonBody?: boolean;
  /** Extra members added to every token answer (to test tokenResponse dot paths). */
  tokenExtras?: Record<string, unknown>;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function missing(have: Record<string, string>, need: Record<string, string | true> | undefined): string | undefined {
  return Object.entries(need ?? {}).find(([k, v]) => (v === true ? have[k] === undefined : have[k] !== v))?.[0];
}

/** Starts the generic provider: GET /authorize, POST /token, GET|POST /userinfo. */
export async function startGeneric(options: GenericOptions): Promise<Upstream> {
  const known = options.scopes ?? ['openid', 'profile', 'email', 'offline_access'];
  const basic = (options.clientAuth ?? 'client_secret_basic') === 'client_secret_basic';
  const refresh = options.refresh ?? 'rotate';
  const tokenError = (p: TokenProblem, _ctx: Ctx): Reply => {
    const [error, status] = rfcError[p.reason];
    const challenge = status === 401 ? { 'www-authenticate': 'Basic realm="generic"' } : undefined;
    return json(status, { error, error_description: p.detail }, { ...noStore, ...challenge });
  };
  const success = (t: TokenGrant): Reply => json(200, {
    access_token: t.accessToken, token_type: 'Bearer', expires_in: t.expiresIn,
    ...(t.refreshToken ? { refresh_token: t.refreshToken } : {}), scope: t.scopes.join(' '), ...options.tokenExtras,
  }, noStore);
  return startUpstream({
    options, idField: 'sub', codeTtlMs: 600_000, accessTtlSeconds: 3600,
    prefixes: { code: 'gc_', access: 'gat_', refresh: 'grt_' },
    defaultUser: { sub: 'generic|1001', name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.com', email_verified: true, picture: 'https://example.com/ada.png' },
    routes: (core) => [
      {
        method: 'GET', path: '/authorize', role: 'authorize',
        handle: (ctx) => authorize(core, ctx, {
          responseType: 'required', redirectUri: 'required', redirectMatch: 'exact',
          scopes: [{ separator: ' ', required: false, valid: (s) => SCOPE_TOKEN.test(s) && (known === 'any' || known.includes(s)) }],
          pkce: options.pkce ?? 'optional', pkceMethods: options.pkceMethods ?? ['S256', 'plain'],
          page: (m) => json(400, { error: 'invalid_request', error_description: m }),
          check: (q) => {
            const absent = missing(q, options.requireAuthorizeParams);
            return absent === undefined ? undefined : { error: 'invalid_request', description: `authorize parameter ${absent} missing or wrong` };
          },
        }),
      },
      {
        method: 'POST', path: '/token', role: 'token',
        handle: (ctx) => token(core, ctx, {
          bodyTypes: options.acceptJsonBody ? ['form', 'json'] : ['form'], clientAuth: [basic ? 'basic' : 'post'],
          grantTypeRequired: true, redirectUri: 'rfc', refresh, issueRefresh: () => refresh !== 'none',
          check: (c) => {
            const absent = missing(c.req.headers, options.requireTokenHeaders);
            return absent === undefined ? undefined : { reason: 'invalid_request', detail: `header ${absent} missing or wrong` };
          },
          success, error: tokenError,
        }),
      },
      {
        method: 'GET,POST', path: '/userinfo', role: 'profile',
        handle: (ctx) => {
          const who = caller(core, ctx);
          if (who === 'missing') return json(401, { error: 'invalid_request' }, { 'www-authenticate': 'Bearer realm="generic"' });
          if (who === 'invalid') return json(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer realm="generic", error="invalid_token"' });
          return json(200, who.user);
        },
      },
    ],
    extend: () => ({}),
  });
}
