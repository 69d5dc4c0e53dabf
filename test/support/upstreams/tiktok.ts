/**
 * TikTok Login Kit v2 (developers.tiktok.com: "Login Kit for Web/Desktop", "Manage User Access Tokens",
 * "OAuth error handling", Display API "Get user info").
 * Real hosts: www.tiktok.com (authorize) and open.tiktokapis.com (token, user info); one server here.
 * TikTok says client_key where everyone else says client_id — in the authorize query and the token body alike.
 * Assumptions: token errors use RFC 6749 HTTP statuses (the docs give the body, not the status); client
 * credentials are accepted only in the form body (the only documented way); `nestUnderData` answers in the
 * legacy v1 shape {data:{...}, message} with v1-style numeric error codes (10007 code, 10013 client, 10002 other).
 */
import { authorize, caller, html, json, noStore, randomToken, rfcError, startUpstream, token } from './base/index.ts';
import type { CommonOptions, Reply, TokenGrant, TokenProblem, Upstream } from './base/index.ts';

export interface TikTokOptions extends CommonOptions {
  clientSecret: string;
  /** Answer tokens under `data` like the v1 API did (to exercise dot paths such as data.access_token). */
  nestUnderData?: boolean;
  /** PKCE: off for web apps; desktop apps must send it, and TikTok compares hex(SHA-256(verifier)), not base64url. */
  pkce?: 'off' | 'hex' | 'base64url';
}

export const TIKTOK_SCOPES = ['user.info.basic', 'user.info.profile', 'user.info.stats', 'video.list', 'video.publish', 'video.upload'];
const FIELD_SCOPE: Record<string, string> = {
  open_id: 'user.info.basic', union_id: 'user.info.basic', avatar_url: 'user.info.basic', avatar_url_100: 'user.info.basic',
  avatar_large_url: 'user.info.basic', display_name: 'user.info.basic', bio_description: 'user.info.profile',
  profile_deep_link: 'user.info.profile', is_verified: 'user.info.profile', username: 'user.info.profile',
  follower_count: 'user.info.stats', following_count: 'user.info.stats', likes_count: 'user.info.stats', video_count: 'user.info.stats',
};

const logId = (): string => randomToken('', 12);
const apiError = (status: number, code: string, message: string): Reply => json(status, { data: {}, error: { code, message, log_id: logId() } });

/** Starts TikTok: GET /v2/auth/authorize/, POST /v2/oauth/token/, GET /v2/user/info/ (trailing slashes are part of the paths). */
export async function startTikTok(options: TikTokOptions): Promise<Upstream> {
  const nested = options.nestUnderData ?? false;
  const pkce = options.pkce ?? 'off';
  const success = (t: TokenGrant): Reply => {
    const body = {
      access_token: t.accessToken, expires_in: t.expiresIn, open_id: t.userId, refresh_expires_in: 31_536_000,
      refresh_token: t.refreshToken, scope: t.scopes.join(','), token_type: 'Bearer',
    };
    return json(200, nested ? { data: { ...body, captcha: '', desc_url: '', description: '', error_code: 0 }, message: 'success' } : body, noStore);
  };
  const error = (p: TokenProblem): Reply => {
    const [code, status] = p.reason === 'pkce' ? ['invalid_request', 400] : rfcError[p.reason];
    const description = p.reason === 'pkce' ? 'Code verifier or code challenge is invalid.' : p.detail;
    if (!nested) return json(status, { error: code, error_description: description, log_id: logId() }, noStore);
    const v1 = code === 'invalid_client' ? 10013 : code === 'invalid_grant' ? 10007 : 10002;
    return json(200, { data: { captcha: '', desc_url: '', description, error_code: v1 }, message: 'error' });
  };
  return startUpstream({
    options, idField: 'open_id', codeTtlMs: 600_000, accessTtlSeconds: 86_400,
    prefixes: { code: '', access: 'act.', refresh: 'rft.' },
    defaultUser: {
      open_id: '-000OpenIdTikTok1', union_id: 'c9c60f44-a68e-4f5d-84dd-ce22faeb0ba1', display_name: 'Tik Toker',
      avatar_url: 'https://p16.tiktokcdn.example/avatar.jpeg', avatar_url_100: 'https://p16.tiktokcdn.example/avatar_100.jpeg',
      avatar_large_url: 'https://p16.tiktokcdn.example/avatar_large.jpeg', bio_description: 'Making videos',
      profile_deep_link: 'https://vm.tiktok.example/ZMabc/', is_verified: false, username: 'tiktoker',
      follower_count: 12, following_count: 3, likes_count: 100, video_count: 4,
    },
    routes: (core) => [
      {
        method: 'GET', path: '/v2/auth/authorize/', role: 'authorize',
        handle: (ctx) => authorize(core, ctx, {
          clientParam: 'client_key', responseType: 'required', redirectUri: 'required', redirectMatch: 'exact',
          scopes: [{ separator: ',', required: true, valid: (s) => TIKTOK_SCOPES.includes(s) }],
          pkce: pkce === 'off' ? 'optional' : 'required', pkceMethods: ['S256'],
          page: (m) => html(400, `Something went wrong. This app's settings don't allow it: ${m}`),
        }),
      },
      {
        method: 'POST', path: '/v2/oauth/token/', role: 'token',
        handle: (ctx) => token(core, ctx, {
          clientParam: 'client_key', bodyTypes: ['form'], clientAuth: ['post'], grantTypeRequired: true,
          redirectUri: 'required', refresh: 'rotate', issueRefresh: () => true, pkceEncoding: pkce === 'hex' ? 'hex' : 'base64url',
          check: (c, p) => (c.req.bodyType !== 'form' ? { reason: 'invalid_request', detail: 'Content-Type must be application/x-www-form-urlencoded' }
            : p.client_key === undefined && p.client_id !== undefined ? { reason: 'invalid_request', detail: 'client_key is required (client_id is not a TikTok parameter)' } : undefined),
          success, error,
        }),
      },
      {
        method: 'GET', path: '/v2/user/info/', role: 'profile',
        handle: (ctx) => {
          const who = caller(core, ctx);
          if (typeof who === 'string') return apiError(401, 'access_token_invalid', 'The access token is invalid or not found in the request.');
          const fields = (ctx.req.query.fields ?? '').split(',').filter(Boolean);
          if (fields.length === 0) return apiError(400, 'invalid_params', 'fields is required');
          const unknown = fields.find((f) => !(f in FIELD_SCOPE));
          if (unknown) return apiError(400, 'invalid_params', `Invalid field: ${unknown}`);
          const missing = fields.find((f) => !who.token.scopes.includes(FIELD_SCOPE[f] ?? ''));
          if (missing) return apiError(401, 'scope_not_authorized', `The user did not authorize the scope required for field ${missing}.`);
          const user = Object.fromEntries(fields.map((f) => [f, who.user[f]]));
          return json(200, { data: { user }, error: { code: 'ok', message: '', log_id: logId() } });
        },
      },
    ],
    extend: () => ({}),
  });
}
