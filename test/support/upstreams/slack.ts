/**
 * Slack OAuth v2 (docs.slack.dev: "Installing with OAuth", oauth.v2.access, users.identity, token rotation)
 * plus "Sign in with Slack" OpenID Connect (see slack-openid.ts), on one server standing for slack.com.
 * Slack's Web API answers HTTP 200 with {ok:false, error} for every failure, token endpoint included.
 * Assumptions: authorize errors other than a user's denial are shown as a page (never redirected);
 * a query-string `token` is ignored (Slack stopped accepting it for apps created after Feb 2021);
 * a PKCE mismatch answers invalid_code.
 */
import { authorize, caller, html, json, startUpstream, token } from './base/index.ts';
import type { AuthzError, CommonOptions, Ctx, Reason, Reply, TokenGrant, TokenProblem, Upstream } from './base/index.ts';
import { slackOpenIdRoutes, wrongFlow } from './slack-openid.ts';

export interface SlackOptions extends CommonOptions {
  clientSecret: string;
  team?: { id: string; name: string; domain: string };
  /** Token rotation: 12 h access tokens (xoxe.xoxp-) and single-use refresh tokens (xoxe-1-). */
  tokenRotation?: boolean;
}

const SCOPE = /^(?:commands|incoming-webhook|[a-z]+(?:[.:][a-z_]+)+)$/;
const isIdentity = (s: string): boolean => s.startsWith('identity.');
const ERRORS: Record<Reason, string> = {
  invalid_request: 'invalid_arguments', unknown_client: 'invalid_client_id', bad_secret: 'bad_client_secret',
  auth_method: 'invalid_client_id', bad_code: 'invalid_code', code_reused: 'invalid_code', code_expired: 'invalid_code',
  redirect_mismatch: 'bad_redirect_uri', pkce: 'invalid_code', grant_type: 'invalid_grant_type',
  bad_refresh: 'invalid_refresh_token', scope: 'invalid_scope',
};

/** The {ok:false} answer Slack gives for every failed call (HTTP 200). */
const slackError = (p: TokenProblem): Reply =>
  json(200, { ok: false, error: p.reason === 'invalid_request' && p.detail.endsWith(' code') ? 'invalid_code' : ERRORS[p.reason] });

function scopeCheck(q: Record<string, string>): AuthzError | undefined {
  const bot = q.scope ? q.scope.split(',') : [];
  const user = q.user_scope ? q.user_scope.split(',') : [];
  if (bot.length + user.length === 0) return { error: 'invalid_scope', description: 'scope or user_scope is required' };
  if (bot.some(isIdentity)) return { error: 'invalid_scope', description: 'identity.* scopes can only be requested in user_scope' };
  if (user.some(isIdentity) && !user.every(isIdentity)) return { error: 'invalid_scope', description: 'identity.* scopes cannot be mixed with other user scopes' };
  return undefined;
}

/** Starts Slack: GET /oauth/v2/authorize, POST /api/oauth.v2.access, GET|POST /api/users.identity, and the OpenID routes. */
export async function startSlack(options: SlackOptions): Promise<Upstream> {
  const team = options.team ?? { id: 'T0001', name: 'Acme', domain: 'acme' };
  const rotation = options.tokenRotation ?? false;
  return startUpstream({
    options, idField: 'id', codeTtlMs: 600_000, accessTtlSeconds: rotation ? 43_200 : 365 * 86_400,
    prefixes: { code: `${team.id}.`, access: rotation ? 'xoxe.xoxp-1-' : 'xoxp-', refresh: 'xoxe-1-' },
    defaultUser: {
      id: 'U0001', name: 'Grace Hopper', given_name: 'Grace', family_name: 'Hopper', email: 'grace@acme.example',
      email_verified: true, locale: 'en-US', image_24: 'https://avatars.example/grace_24.png', image_192: 'https://avatars.example/grace_192.png',
    },
    routes: (core) => {
      const expiry = (t: TokenGrant) => (rotation && t.refreshToken ? { expires_in: t.expiresIn, refresh_token: t.refreshToken } : {});
      const success = (t: TokenGrant, _ctx: Ctx, p: Record<string, string>): Reply => {
        const common = { ok: true, app_id: 'A0001', team: { id: team.id, name: team.name }, enterprise: null, is_enterprise_install: false };
        if (p.grant_type === 'refresh_token') {
          return json(200, { ...common, access_token: t.accessToken, token_type: t.kind, scope: t.scopes.join(','), ...expiry(t) });
        }
        const bot = t.query.scope ? t.query.scope.split(',') : [];
        const botToken = bot.length > 0
          ? core.grants.issueTokens({ clientId: t.clientId, scopes: bot, userId: t.userId, kind: 'bot', accessPrefix: 'xoxb-', withRefresh: rotation })
          : undefined;
        if (t.scopes.length === 0) t.revoked = true; // bot-only install: no user token is handed out
        return json(200, {
          ...common,
          ...(botToken ? { access_token: botToken.accessToken, token_type: 'bot', scope: bot.join(','), bot_user_id: 'B0001', ...expiry(botToken) } : {}),
          authed_user: { id: t.userId, ...(t.scopes.length > 0 ? { scope: t.scopes.join(','), access_token: t.accessToken, token_type: 'user', ...expiry(t) } : {}) },
        });
      };
      return [
        {
          method: 'GET', path: '/oauth/v2/authorize', role: 'authorize',
          handle: (ctx) => authorize(core, ctx, {
            responseType: 'ignored', redirectUri: 'optional', redirectMatch: 'subpath', errorsAsPages: true,
            scopes: [
              { param: 'user_scope', separator: ',', required: false, valid: (s) => SCOPE.test(s) },
              { param: 'scope', separator: ',', required: false, valid: (s) => SCOPE.test(s) },
            ],
            pkce: 'optional', pkceMethods: ['S256'],
            page: (m) => html(400, `Oops! Something went wrong: ${m}`),
            check: scopeCheck,
          }),
        },
        {
          method: 'POST', path: '/api/oauth.v2.access', role: 'token',
          handle: (ctx) => token(core, ctx, {
            bodyTypes: ['form', 'json'], clientAuth: ['basic', 'post'], grantTypeRequired: false, redirectUri: 'lenient',
            refresh: rotation ? 'rotate' : 'none', issueRefresh: () => rotation,
            check: (_c, p) => (p.grant_type === 'refresh_token' ? undefined : wrongFlow(core, p.code, false)),
            success, error: slackError,
          }),
        },
        {
          method: 'GET,POST', path: '/api/users.identity', role: 'profile',
          handle: (ctx) => {
            const bodyToken = ctx.req.method === 'POST' && typeof ctx.req.body.token === 'string' ? ctx.req.body.token : undefined;
            const who = caller(core, ctx, ['bearer'], bodyToken);
            if (who === 'missing') return json(200, { ok: false, error: 'not_authed' });
            if (who === 'invalid') return json(200, { ok: false, error: 'invalid_auth' });
            if (who.token.kind !== 'user') return json(200, { ok: false, error: 'not_allowed_token_type' });
            const has = (s: string) => who.token.scopes.includes(`identity.${s}`);
            if (!has('basic')) return json(200, { ok: false, error: 'missing_scope', needed: 'identity.basic', provided: who.token.scopes.join(',') });
            const u = who.user;
            return json(200, {
              ok: true,
              user: { name: u.name, id: u.id, ...(has('email') ? { email: u.email } : {}), ...(has('avatar') ? { image_24: u.image_24, image_192: u.image_192 } : {}) },
              team: { id: team.id, ...(has('team') ? { name: team.name, domain: team.domain } : {}) },
            });
          },
        },
        ...slackOpenIdRoutes(core, team, rotation, slackError),
      ];
    },
    extend: () => ({}),
  });
}
