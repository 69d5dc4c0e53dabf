/**
 * X (Twitter) OAuth 2.0 Authorization Code with PKCE (docs.x.com "OAuth 2.0 Authorization Code Flow with PKCE",
 * "GET /2/users/me"). Real hosts: x.com (authorize) and api.x.com (token, API); one server here.
 * Rules: PKCE (S256 or plain) and state are mandatory; codes live 30 s; confidential clients authenticate with
 * HTTP Basic only — a client_secret in the body is refused; refresh tokens only with offline.access, rotated on use.
 * Assumptions: every authorize error is an HTML page (X shows "Something went wrong", it does not redirect);
 * token error descriptions other than the invalid-code and missing-Basic ones are approximations;
 * confirmed_email is omitted without the users.email scope.
 */
import { authorize, caller, html, json, startUpstream, token } from './base/index.ts';
import type { CommonOptions, Reply, TokenGrant, TokenProblem, Upstream } from './base/index.ts';

export type XOptions = CommonOptions;

export const X_SCOPES = [
  'tweet.read', 'tweet.write', 'tweet.moderate.write', 'users.email', 'users.read', 'follows.read', 'follows.write',
  'offline.access', 'space.read', 'mute.read', 'mute.write', 'like.read', 'like.write', 'list.read', 'list.write',
  'block.read', 'block.write', 'bookmark.read', 'bookmark.write', 'media.write', 'dm.read', 'dm.write',
];
const USER_FIELDS = ['created_at', 'description', 'entities', 'id', 'location', 'name', 'pinned_tweet_id', 'profile_image_url',
  'protected', 'public_metrics', 'url', 'username', 'verified', 'verified_type', 'withheld', 'confirmed_email'];

function xError(p: TokenProblem): Reply {
  switch (p.reason) {
    case 'unknown_client': case 'bad_secret': case 'auth_method':
      return json(401, { error: 'unauthorized_client', error_description: 'Missing valid authorization header' });
    case 'bad_code': case 'code_reused': case 'code_expired':
      return json(400, { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' });
    case 'pkce': return json(400, { error: 'invalid_request', error_description: 'Value passed for the code verifier did not match the code challenge.' });
    case 'redirect_mismatch': return json(400, { error: 'invalid_request', error_description: 'Value passed for the redirect uri did not match the uri of the authorization code.' });
    case 'bad_refresh': return json(400, { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' });
    default: return json(400, { error: p.reason === 'grant_type' ? 'unsupported_grant_type' : 'invalid_request', error_description: p.detail });
  }
}

const problem = (status: number, title: string, extra: Record<string, unknown> = {}): Reply =>
  json(status, { title, type: 'about:blank', status, detail: title, ...extra });

/** Starts X: GET /i/oauth2/authorize, POST /2/oauth2/token, GET /2/users/me. */
export async function startX(options: XOptions): Promise<Upstream> {
  const success = (t: TokenGrant): Reply => json(200, {
    token_type: 'bearer', expires_in: t.expiresIn, access_token: t.accessToken, scope: t.scopes.join(' '),
    ...(t.refreshToken ? { refresh_token: t.refreshToken } : {}),
  });
  return startUpstream({
    options, idField: 'id', codeTtlMs: 30_000, accessTtlSeconds: 7200,
    prefixes: { code: '', access: '', refresh: '' },
    defaultUser: {
      id: '2244994945', name: 'X Dev', username: 'XDevelopers', profile_image_url: 'https://pbs.twimg.example/xdev_normal.jpg',
      verified: false, protected: false, created_at: '2013-12-14T04:35:55.000Z', description: 'The voice of the X Dev team',
      location: 'Internet', url: 'https://t.co/example', confirmed_email: 'xdev@example.com',
      public_metrics: { followers_count: 1, following_count: 2, tweet_count: 3, listed_count: 4 },
    },
    routes: (core) => [
      {
        method: 'GET', path: '/i/oauth2/authorize', role: 'authorize',
        handle: (ctx) => authorize(core, ctx, {
          responseType: 'required', redirectUri: 'required', redirectMatch: 'exact', errorsAsPages: true,
          scopes: [{ separator: ' ', required: true, valid: (s) => X_SCOPES.includes(s) }],
          pkce: 'required', pkceMethods: ['S256', 'plain'], stateRequired: true,
          page: (m) => html(400, `Something went wrong. You weren't able to give access to the App. Go back and try logging in again. (${m})`),
        }),
      },
      {
        method: 'POST', path: '/2/oauth2/token', role: 'token',
        handle: (ctx) => token(core, ctx, {
          bodyTypes: ['form'], clientAuth: ['basic'], grantTypeRequired: true, redirectUri: 'required', refresh: 'rotate',
          issueRefresh: (code) => code.scopes.includes('offline.access'),
          check: (_c, p) => (p.client_secret !== undefined ? { reason: 'auth_method', detail: 'client_secret must not be sent in the body' } : undefined),
          success, error: xError,
        }),
      },
      {
        method: 'GET', path: '/2/users/me', role: 'profile',
        handle: (ctx) => {
          const who = caller(core, ctx);
          if (typeof who === 'string') return problem(401, 'Unauthorized');
          if (!['tweet.read', 'users.read'].every((s) => who.token.scopes.includes(s))) return problem(403, 'Forbidden');
          const asked = (ctx.req.query['user.fields'] ?? '').split(',').filter(Boolean);
          const bad = asked.filter((f) => !USER_FIELDS.includes(f));
          if (bad.length > 0) {
            return json(400, {
              errors: [{ parameters: { 'user.fields': bad }, message: `The \`user.fields\` query parameter value [${bad.join(',')}] is not one of [${USER_FIELDS.join(',')}]` }],
              title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request',
            });
          }
          const allowed = asked.filter((f) => f !== 'confirmed_email' || who.token.scopes.includes('users.email'));
          const u = who.user;
          return json(200, { data: { id: u.id, name: u.name, username: u.username, ...Object.fromEntries(allowed.map((f) => [f, u[f]])) } });
        },
      },
    ],
    extend: () => ({}),
  });
}
