/**
 * A multi-tenant provider where each tenant has its own host — modelled on Zendesk
 * (developer.zendesk.com "OAuth Tokens for Grant Types", "Users: Show Self"; support.zendesk.com "Using OAuth
 * authentication with your application"). One loopback server serves every tenant, told apart by the Host header
 * `<tenant>.localhost:PORT`; unknown tenants get 404; codes and tokens are bound to the tenant that issued them.
 * Assumptions: the same OAuth client is registered in every tenant; client credentials go in the body only (the
 * documented way); a `scope` in the token request is accepted and ignored; without any Authorization header
 * /api/v2/users/me.json answers Zendesk's anonymous user (id null) with 200 — a real trap for profile scripts.
 */
import { authorize, caller, html, json, noStore, rfcError, startUpstream, token } from './base/index.ts';
import type { CommonOptions, Ctx, Reply, TokenGrant, TokenProblem, Upstream } from './base/index.ts';

export interface SubdomainOptions extends CommonOptions {
  /** Tenant names (subdomains) this server answers for, e.g. ['acme', 'globex']. */
  tenants: string[];
  /** Zendesk's expiring access tokens with refresh tokens (rotated on use); default: non-expiring tokens only. */
  refreshTokens?: boolean;
}

export interface SubdomainUpstream extends Upstream {
  /** http://<tenant>.localhost:PORT — what an admin would configure as the tenant's URL. */
  tenantUrl(tenant: string): string;
  /** The Host header of a tenant, for clients that connect to 127.0.0.1. */
  hostOf(tenant: string): string;
}

const SCOPE = /^(?:read|write|impersonate|[a-z_]+:(?:read|write))$/;
const DESCRIPTIONS: Partial<Record<string, string>> = {
  invalid_grant: 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
  invalid_client: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
};

/** Starts the tenant-per-host provider: GET /oauth/authorizations/new, POST /oauth/tokens, GET /api/v2/users/me.json. */
export async function startSubdomain(options: SubdomainOptions): Promise<SubdomainUpstream> {
  const rotating = options.refreshTokens ?? false;
  let port = 0;
  const tenantUrl = (tenant: string): string => `http://${tenant}.localhost:${port}`;
  const success = (t: TokenGrant): Reply => json(200, {
    access_token: t.accessToken, token_type: 'bearer', scope: t.scopes.join(' '),
    ...(t.refreshToken ? { refresh_token: t.refreshToken, expires_in: t.expiresIn, refresh_token_expires_in: 2_592_000 } : {}),
  }, noStore);
  const error = (p: TokenProblem): Reply => {
    const [code, status] = rfcError[p.reason];
    return json(status, { error: code, error_description: DESCRIPTIONS[code] ?? p.detail }, noStore);
  };
  const upstream = await startUpstream({
    options, idField: 'id', codeTtlMs: 120_000, accessTtlSeconds: rotating ? 172_800 : 365 * 86_400,
    prefixes: { code: '', access: '', refresh: '' },
    defaultUser: {
      id: 35436, name: 'Johnny Agent', email: 'johnny@example.com', role: 'agent', locale: 'en-US', time_zone: 'Copenhagen',
      verified: true, active: true, created_at: '2009-07-20T22:55:29Z', photo: null,
    },
    tenant: () => (req) => {
      const m = /^([a-z0-9-]+)\.localhost:(\d+)$/i.exec(req.headers.host ?? '');
      const name = m?.[1]?.toLowerCase();
      if (!name || Number(m?.[2]) !== port || !options.tenants.includes(name)) return html(404, 'Oops! The page you were looking for doesn\'t exist.');
      return name;
    },
    routes: (core) => [
      {
        method: 'GET', path: '/oauth/authorizations/new', role: 'authorize',
        handle: (ctx) => authorize(core, ctx, {
          responseType: 'required', redirectUri: 'required', redirectMatch: 'exact',
          scopes: [{ separator: ' ', required: true, valid: (s) => SCOPE.test(s) }],
          pkce: options.clientSecret === undefined ? 'required' : 'optional', pkceMethods: ['S256'],
          page: (m) => html(400, `Invalid authorization request: ${m}`),
        }),
      },
      {
        method: 'POST', path: '/oauth/tokens', role: 'token',
        handle: (ctx) => token(core, ctx, {
          bodyTypes: ['json', 'form'], clientAuth: ['post'], grantTypeRequired: true, redirectUri: 'required',
          refresh: rotating ? 'rotate' : 'none', issueRefresh: () => rotating, success, error,
        }),
      },
      {
        method: 'GET', path: '/api/v2/users/me.json', role: 'profile',
        handle: (ctx: Ctx) => {
          const who = caller(core, ctx);
          if (who === 'missing') return json(200, { user: { id: null, url: null, name: 'Anonymous user', email: 'invalid@example.com', role: 'end-user', locale: 'en-US', verified: false, active: true } });
          if (who === 'invalid') return json(401, { error: 'invalid_token', error_description: 'The access token provided is expired, revoked, malformed or invalid for other reasons.' });
          if (!who.token.scopes.some((s) => s === 'read' || s === 'users:read')) {
            return json(403, { error: 'Forbidden', description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.' });
          }
          const tenant = ctx.tenant ?? '';
          return json(200, { user: { ...who.user, url: `${tenantUrl(tenant)}/api/v2/users/${String(who.user.id)}.json` } });
        },
      },
    ],
    extend: () => ({ tenantUrl, hostOf: (tenant: string) => `${tenant}.localhost:${port}` }),
  });
  port = upstream.port; // known once listening, before any request can name it
  return upstream;
}
