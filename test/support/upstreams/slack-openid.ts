/**
 * "Sign in with Slack" (OpenID Connect) routes of the Slack emulator: /openid/connect/authorize,
 * /api/openid.connect.token, /api/openid.connect.userInfo and /openid/connect/keys.
 * The id_token is RS256-signed by the emulator's own key (JWKS at /openid/connect/keys); iss is the emulator URL
 * (real Slack uses https://slack.com).
 */
import { authorize, caller, createSigner, html, json, token } from './base/index.ts';
import type { Core, Ctx, Reply, Route, TokenGrant, TokenProblem } from './base/index.ts';

const OIDC_SCOPES = ['openid', 'profile', 'email'];

/** Whether an authorization request was the OpenID flow (its codes are not redeemable at oauth.v2.access, and vice versa). */
export const isOpenIdFlow = (q: Record<string, string>): boolean => (q.scope ?? '').split(' ').includes('openid');

/** Refuses a code issued by the other Slack flow. */
export function wrongFlow(core: Core, code: string | undefined, openId: boolean): TokenProblem | undefined {
  const grant = core.grants.codes.find((c) => c.code === code);
  return grant && isOpenIdFlow(grant.query) !== openId ? { reason: 'bad_code', detail: 'code was issued by the other Slack OAuth flow' } : undefined;
}

/** Claims Slack releases for the granted scopes. */
function claims(user: Record<string, unknown>, scopes: string[], team: { id: string; name: string; domain: string }): Record<string, unknown> {
  return {
    sub: user.id, 'https://slack.com/user_id': user.id, 'https://slack.com/team_id': team.id,
    ...(scopes.includes('email') ? { email: user.email, email_verified: user.email_verified } : {}),
    ...(scopes.includes('profile')
      ? { name: user.name, picture: user.image_192, given_name: user.given_name, family_name: user.family_name, locale: user.locale,
          'https://slack.com/team_name': team.name, 'https://slack.com/team_domain': team.domain }
      : {}),
  };
}

/** The OpenID routes; `error` is Slack's {ok:false} dialect, shared with oauth.v2.access. */
export function slackOpenIdRoutes(core: Core, team: { id: string; name: string; domain: string }, rotation: boolean, error: (p: TokenProblem) => Reply): Route[] {
  const signer = createSigner();
  const success = (t: TokenGrant): Reply => {
    const now = Math.floor(core.grants.now() / 1000);
    const idToken = signer.sign({
      iss: core.url(), aud: t.clientId, iat: now, exp: now + 3600, auth_time: now,
      ...(t.query.nonce ? { nonce: t.query.nonce } : {}), ...claims(core.user(t.userId), t.scopes, team),
    });
    return json(200, {
      ok: true, access_token: t.accessToken, token_type: 'Bearer', id_token: idToken,
      ...(rotation && t.refreshToken ? { refresh_token: t.refreshToken, expires_in: t.expiresIn } : {}),
    });
  };
  return [
    {
      method: 'GET', path: '/openid/connect/authorize', role: 'authorize',
      handle: (ctx) => authorize(core, ctx, {
        responseType: 'required', redirectUri: 'required', redirectMatch: 'exact',
        scopes: [{ separator: ' ', required: true, valid: (s) => OIDC_SCOPES.includes(s) }],
        pkce: 'optional', pkceMethods: ['S256'],
        page: (m) => html(400, `Oops! Something went wrong: ${m}`),
        check: (q) => (isOpenIdFlow(q) ? undefined : { error: 'invalid_scope', description: 'scope must include openid' }),
      }),
    },
    {
      method: 'POST', path: '/api/openid.connect.token', role: 'token',
      handle: (ctx) => token(core, ctx, {
        bodyTypes: ['form', 'json'], clientAuth: ['basic', 'post'], grantTypeRequired: false, redirectUri: 'lenient',
        refresh: rotation ? 'rotate' : 'none', issueRefresh: () => rotation,
        check: (_c, p) => (p.grant_type === 'refresh_token' ? undefined : wrongFlow(core, p.code, true)),
        success, error,
      }),
    },
    {
      method: 'GET,POST', path: '/api/openid.connect.userInfo', role: 'profile',
      handle: (ctx: Ctx) => {
        const bodyToken = ctx.req.method === 'POST' && typeof ctx.req.body.token === 'string' ? ctx.req.body.token : undefined;
        const who = caller(core, ctx, ['bearer'], bodyToken);
        if (who === 'missing') return json(200, { ok: false, error: 'not_authed' });
        if (who === 'invalid') return json(200, { ok: false, error: 'invalid_auth' });
        if (!who.token.scopes.includes('openid')) return json(200, { ok: false, error: 'missing_scope', needed: 'openid', provided: who.token.scopes.join(',') });
        return json(200, { ok: true, ...claims(who.user, who.token.scopes, team) });
      },
    },
    { method: 'GET', path: '/openid/connect/keys', handle: () => json(200, signer.jwks()) },
  ];
}
