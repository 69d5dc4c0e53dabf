/**
 * Microsoft identity platform v2.0 (learn.microsoft.com "OAuth 2.0 authorization code flow", "Error codes")
 * plus the Graph "Get user" endpoint. Real hosts: login.microsoftonline.com and graph.microsoft.com; one server here.
 * Tenant in the path: /{tenant}/oauth2/v2.0/... where tenant is the tenant GUID, one of its domains, or (for a
 * multi-tenant app) common / organizations / consumers; anything else is AADSTS90002.
 * The id_token is RS256-signed with the emulator's key (JWKS at /{tenant}/discovery/v2.0/keys); access tokens are
 * opaque here (real Graph tokens are JWTs a client must not parse anyway).
 * Assumptions: response_mode is not emulated (always query); AADSTS codes other than 90002, 700016, 7000215,
 * 7000218, 54005, 70008, 50148, 50011, 50194 and 900144 are approximations; refresh tokens are reissued on
 * every refresh while the old one stays valid (Microsoft does not revoke it).
 */
import { createHash, randomUUID } from 'node:crypto';
import { authorize, caller, createSigner, html, json, noStore, startUpstream, token } from './base/index.ts';
import type { CommonOptions, Ctx, Reason, RecordedRequest, Reply, TokenGrant, TokenProblem, Upstream } from './base/index.ts';

export interface MicrosoftOptions extends CommonOptions {
  /** Directory (tenant) id; default a fixed GUID. */
  tenantId?: string;
  tenantDomains?: string[];
  /** 'single': only the tenant itself; 'multi' (default) also common, organizations and consumers. */
  audience?: 'single' | 'multi';
}

export interface MicrosoftUpstream extends Upstream {
  readonly tenantId: string;
  /** Public keys verifying the id_token. */
  jwks(): { keys: Array<Record<string, unknown>> };
}

const GRAPH = 'https://graph.microsoft.com/';
const OIDC = ['openid', 'profile', 'email', 'offline_access'];
const SCOPE = /^(?:openid|profile|email|offline_access|[A-Z][A-Za-z]+(?:\.[A-Za-z]+)+|(?:https|api):\/\/[^\s,]+\/[^\s,/]+)$/;
const ALIASES = ['common', 'organizations', 'consumers'];

/** Microsoft's error body: AADSTS code in the description plus trace metadata. */
export function aadError(status: number, error: string, code: number, message: string): Reply {
  const trace = { timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z', trace_id: randomUUID(), correlation_id: randomUUID() };
  return json(status, {
    error, error_description: `AADSTS${code}: ${message} Trace ID: ${trace.trace_id} Correlation ID: ${trace.correlation_id} Timestamp: ${trace.timestamp}`,
    error_codes: [code], ...trace, error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  }, noStore);
}

const TOKEN_ERRORS: Record<Reason, [number, string, number, string]> = {
  invalid_request: [400, 'invalid_request', 900144, 'The request body must contain the following parameter'],
  unknown_client: [400, 'unauthorized_client', 700016, 'Application was not found in the directory.'],
  bad_secret: [401, 'invalid_client', 7000215, 'Invalid client secret provided.'],
  auth_method: [401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."],
  bad_code: [400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.'],
  code_reused: [400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'],
  code_expired: [400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity.'],
  redirect_mismatch: [400, 'invalid_grant', 50011, 'The redirect URI specified in the request does not match the one used to obtain the authorization code.'],
  pkce: [400, 'invalid_grant', 50148, 'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.'],
  grant_type: [400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.'],
  bad_refresh: [400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.'],
  scope: [400, 'invalid_scope', 70011, "The provided value for the input parameter 'scope' is not valid."],
};

const graphError = (status: number, code: string, message: string): Reply =>
  json(status, { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } });
const normalize = (s: string): string => (OIDC.includes(s) || s.includes('://') ? s : GRAPH + s);

/** Starts Microsoft: /{tenant}/oauth2/v2.0/authorize|token, /{tenant}/discovery/v2.0/keys, /{tenant}/v2.0/.well-known/openid-configuration, /v1.0/me. */
export async function startMicrosoft(options: MicrosoftOptions): Promise<MicrosoftUpstream> {
  const tenantId = options.tenantId ?? '7a3c1e52-0d1f-4c8e-9b6a-5f2d4e8a1c90';
  const known = [tenantId, ...(options.tenantDomains ?? ['contoso.onmicrosoft.com'])];
  const signer = createSigner();
  const unknownTenant = (req: RecordedRequest, name: string): Reply => {
    const message = `Tenant '${name}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`;
    return req.path.endsWith('/authorize') ? html(400, `AADSTS90002: ${message}`) : aadError(400, 'invalid_request', 90002, message);
  };
  return startUpstream({
    options, idField: 'id', codeTtlMs: 600_000, accessTtlSeconds: 3599,
    prefixes: { code: '1.AQ', access: 'EwB', refresh: '0.AR' },
    defaultUser: {
      id: '48d31887-5fad-4d73-a9f5-3c356e68a038', displayName: 'Megan Bowen', givenName: 'Megan', surname: 'Bowen',
      mail: 'MeganB@contoso.onmicrosoft.com', userPrincipalName: 'MeganB@contoso.onmicrosoft.com', jobTitle: 'Marketing Manager',
      businessPhones: ['+1 412 555 0109'], mobilePhone: null, officeLocation: '18/2111', preferredLanguage: 'en-US',
    },
    tenant: () => (req, params) => {
      const name = params.tenant;
      if (name === undefined) return tenantId; // Graph serves tokens of the one directory we emulate
      if (known.includes(name.toLowerCase())) return tenantId;
      if (!ALIASES.includes(name.toLowerCase())) return unknownTenant(req, name);
      if (options.audience !== 'single') return tenantId;
      const message = 'Application is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications.';
      return req.path.endsWith('/authorize') ? html(400, `AADSTS50194: ${message}`) : aadError(400, 'invalid_request', 50194, message);
    },
    routes: (core) => {
      const issuer = () => `${core.url()}/${tenantId}/v2.0`;
      const idToken = (t: TokenGrant): string => {
        const u = core.user(t.userId);
        const now = Math.floor(core.grants.now() / 1000);
        return signer.sign({
          ver: '2.0', iss: issuer(), aud: t.clientId, iat: now, nbf: now, exp: now + 3600, tid: tenantId, oid: u.id,
          sub: createHash('sha256').update(`${t.clientId}:${String(u.id)}`).digest('base64url'),
          ...(t.scopes.includes('profile') ? { name: u.displayName, preferred_username: u.userPrincipalName } : {}),
          ...(t.scopes.includes('email') && u.mail ? { email: u.mail } : {}),
          ...(t.query.nonce ? { nonce: t.query.nonce } : {}),
        });
      };
      const success = (t: TokenGrant): Reply => json(200, {
        token_type: 'Bearer', scope: t.scopes.filter((s) => s !== 'offline_access').map(normalize).join(' '),
        expires_in: t.expiresIn, ext_expires_in: t.expiresIn, access_token: t.accessToken,
        ...(t.refreshToken ? { refresh_token: t.refreshToken } : {}), ...(t.scopes.includes('openid') ? { id_token: idToken(t) } : {}),
      }, noStore);
      const error = (p: TokenProblem): Reply => {
        const [status, code, n, message] = TOKEN_ERRORS[p.reason];
        return aadError(status, code, n, p.reason === 'invalid_request' ? `${message}: ${p.detail}.` : message);
      };
      const page = (m: string, about: 'client' | 'redirect_uri' | 'request'): Reply =>
        html(400, `${{ client: 'AADSTS700016', redirect_uri: 'AADSTS50011', request: 'AADSTS900144' }[about]}: ${m}`);
      return [
        {
          method: 'GET', path: '/:tenant/oauth2/v2.0/authorize', role: 'authorize',
          handle: (ctx: Ctx) => authorize(core, ctx, {
            responseType: 'required', redirectUri: 'required', redirectMatch: 'exact',
            scopes: [{ separator: ' ', required: true, valid: (s) => SCOPE.test(s) }],
            pkce: 'optional', pkceMethods: ['S256', 'plain'], page,
            check: (q) => (q.prompt !== undefined && !['login', 'none', 'consent', 'select_account'].includes(q.prompt)
              ? { error: 'invalid_request', description: `AADSTS90023: Invalid prompt value '${q.prompt}'.` } : undefined),
          }),
        },
        {
          method: 'POST', path: '/:tenant/oauth2/v2.0/token', role: 'token',
          handle: (ctx) => token(core, ctx, {
            bodyTypes: ['form'], clientAuth: ['basic', 'post'], grantTypeRequired: true, redirectUri: 'required',
            refresh: 'reissue', issueRefresh: (code) => code.scopes.includes('offline_access'), success, error,
          }),
        },
        { method: 'GET', path: '/:tenant/discovery/v2.0/keys', handle: () => json(200, signer.jwks()) },
        {
          method: 'GET', path: '/:tenant/v2.0/.well-known/openid-configuration',
          handle: () => json(200, {
            issuer: issuer(), authorization_endpoint: `${core.url()}/${tenantId}/oauth2/v2.0/authorize`,
            token_endpoint: `${core.url()}/${tenantId}/oauth2/v2.0/token`, jwks_uri: `${core.url()}/${tenantId}/discovery/v2.0/keys`,
            response_types_supported: ['code'], id_token_signing_alg_values_supported: ['RS256'], scopes_supported: OIDC,
          }),
        },
        {
          method: 'GET', path: '/v1.0/me', role: 'profile',
          handle: (ctx) => {
            const who = caller(core, ctx);
            if (who === 'missing') return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
            if (who === 'invalid') return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.');
            if (!who.token.scopes.map(normalize).some((s) => s.startsWith(`${GRAPH}User.`) || s === `${GRAPH}.default`)) {
              return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
            }
            const select = (ctx.req.query.$select ?? '').split(',').filter(Boolean);
            const fields = Object.entries(who.user).filter(([k]) => select.length === 0 || select.includes(k));
            return json(200, { '@odata.context': `${GRAPH}v1.0/$metadata#users/$entity`, ...Object.fromEntries(fields) });
          },
        },
      ];
    },
    extend: () => ({ tenantId, jwks: () => signer.jwks() }),
  });
}
