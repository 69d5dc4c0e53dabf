/** The Slack emulator: OAuth v2 + users.identity, token rotation, and Sign in with Slack (OpenID). */
import { startSlack } from './index.ts';
import type { SlackOptions, Upstream } from './index.ts';
import { authorizeAt, basic, bearerHeader, codeOf, get, postForm, verifyJwt } from './drive.ts';

const CB = 'http://127.0.0.1:9/login/callback';
let up: Upstream;
const start = async (o: Partial<SlackOptions> = {}) => { up = await startSlack({ clientId: '111.222', clientSecret: 'slk', redirectUris: [CB], ...o }); };
afterEach(() => up.close());

const login = (extra: Record<string, string | undefined> = {}) =>
  authorizeAt(up.url, '/oauth/v2/authorize', { client_id: '111.222', user_scope: 'identity.basic,identity.email,identity.avatar', redirect_uri: CB, state: 'st', ...extra });
const access = (params: Record<string, string | undefined>, headers = basic('111.222', 'slk')) =>
  postForm(`${up.url}/api/oauth.v2.access`, { redirect_uri: CB, ...params }, headers);
const identity = (headers: Record<string, string>, query = '') => get(`${up.url}/api/users.identity${query}`, headers);

describe('slack emulator — OAuth v2', () => {
  beforeEach(() => start());

  it('signs in with identity.* user scopes and answers users.identity', async () => {
    const t = await access({ code: codeOf(await login()) });
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ ok: true, team: { id: 'T0001' }, authed_user: { id: 'U0001', token_type: 'user', scope: 'identity.basic,identity.email,identity.avatar' } });
    expect(t.body?.access_token).toBeUndefined();
    const token = (t.body?.authed_user as { access_token: string }).access_token;
    expect(token).toMatch(/^xoxp-/);
    const me = await identity(bearerHeader(token));
    expect(me.body).toMatchObject({ ok: true, user: { id: 'U0001', name: 'Grace Hopper', email: 'grace@acme.example' }, team: { id: 'T0001' } });
    const viaBody = await postForm(`${up.url}/api/users.identity`, { token });
    expect(viaBody.body?.ok).toBe(true);
  });

  it('bot scopes add a top-level xoxb- token that users.identity refuses', async () => {
    const t = await access({ code: codeOf(await login({ scope: 'channels:read,chat:write' })) }, {});
    expect(t.body).toEqual({ ok: false, error: 'invalid_client_id' });
    const ok = await access({ code: codeOf(await login({ scope: 'channels:read,chat:write' })), client_id: '111.222', client_secret: 'slk' }, {});
    expect(ok.body).toMatchObject({ token_type: 'bot', scope: 'channels:read,chat:write', bot_user_id: 'B0001' });
    expect((await identity(bearerHeader(ok.body?.access_token))).body?.error).toBe('not_allowed_token_type');
  });

  it('shows a page for bad client, redirect_uri and scope requests', async () => {
    const bad = [
      await login({ client_id: 'nope' }), await login({ redirect_uri: 'http://127.0.0.1:9/other' }),
      await login({ user_scope: 'identity.basic identity.email' }), await login({ user_scope: undefined, scope: 'identity.basic' }),
      await login({ user_scope: 'identity.basic,channels:read' }), await login({ user_scope: undefined }),
    ];
    for (const a of bad) expect([a.status, a.location]).toEqual([400, undefined]);
  });

  it('token failures are HTTP 200 {ok:false} with Slack error names', async () => {
    const used = codeOf(await login());
    await access({ code: used });
    const cases: Array<[Record<string, string | undefined>, Record<string, string>, string]> = [
      [{ code: used }, basic('111.222', 'slk'), 'invalid_code'],
      [{ code: codeOf(await login()) }, basic('111.222', 'wrong'), 'bad_client_secret'],
      [{ code: codeOf(await login()) }, basic('999', 'slk'), 'invalid_client_id'],
      [{ code: codeOf(await login()), redirect_uri: `${CB}/x` }, basic('111.222', 'slk'), 'bad_redirect_uri'],
      [{ code: codeOf(await login()), grant_type: 'password' }, basic('111.222', 'slk'), 'invalid_grant_type'],
    ];
    for (const [params, headers, error] of cases) expect((await access(params, headers)).body).toEqual({ ok: false, error });
  });

  it('users.identity checks the token and the identity.basic scope', async () => {
    expect((await identity({})).body?.error).toBe('not_authed');
    expect((await identity(bearerHeader('xoxp-forged'))).body?.error).toBe('invalid_auth');
    const t = await access({ code: codeOf(await login({ user_scope: 'users:read' })) });
    const token = (t.body?.authed_user as { access_token: string }).access_token;
    expect((await identity({}, `?token=${token}`)).body?.error).toBe('not_authed');
    expect((await identity(bearerHeader(token))).body).toMatchObject({ ok: false, error: 'missing_scope', needed: 'identity.basic' });
  });
});

describe('slack emulator — token rotation', () => {
  it('issues expiring tokens and single-use refresh tokens', async () => {
    await start({ tokenRotation: true });
    const t = await access({ code: codeOf(await login()) });
    const user = t.body?.authed_user as { access_token: string; refresh_token: string; expires_in: number };
    expect([user.access_token.startsWith('xoxe.xoxp-1-'), user.refresh_token.startsWith('xoxe-1-'), user.expires_in]).toEqual([true, true, 43200]);
    const r = await access({ grant_type: 'refresh_token', refresh_token: user.refresh_token, redirect_uri: undefined });
    expect(r.body).toMatchObject({ ok: true, token_type: 'user', expires_in: 43200 });
    expect(r.body?.refresh_token).not.toBe(user.refresh_token);
    expect((await access({ grant_type: 'refresh_token', refresh_token: user.refresh_token })).body?.error).toBe('invalid_refresh_token');
  });
});

describe('slack emulator — Sign in with Slack (OpenID)', () => {
  beforeEach(() => start());
  const oidcLogin = (extra: Record<string, string | undefined> = {}) =>
    authorizeAt(up.url, '/openid/connect/authorize', { response_type: 'code', client_id: '111.222', scope: 'openid email profile', redirect_uri: CB, state: 's', nonce: 'n-1', ...extra });
  const oidcToken = (code: string) => postForm(`${up.url}/api/openid.connect.token`, { code, redirect_uri: CB }, basic('111.222', 'slk'));

  it('issues a signed id_token and answers openid.connect.userInfo', async () => {
    const t = await oidcToken(codeOf(await oidcLogin()));
    expect(t.body).toMatchObject({ ok: true, token_type: 'Bearer' });
    const claims = verifyJwt(t.body?.id_token, (await get(`${up.url}/openid/connect/keys`)).body);
    expect(claims).toMatchObject({ iss: up.url, aud: '111.222', sub: 'U0001', nonce: 'n-1', email: 'grace@acme.example', 'https://slack.com/team_id': 'T0001' });
    const info = await get(`${up.url}/api/openid.connect.userInfo`, bearerHeader(t.body?.access_token));
    expect(info.body).toMatchObject({ ok: true, sub: 'U0001', email: 'grace@acme.example', name: 'Grace Hopper' });
  });

  it('keeps the two flows apart and requires the openid scope', async () => {
    expect((await oidcToken(codeOf(await login()))).body?.error).toBe('invalid_code');
    expect((await access({ code: codeOf(await oidcLogin()) })).body?.error).toBe('invalid_code');
    expect((await oidcLogin({ scope: 'email profile' })).location?.searchParams.get('error')).toBe('invalid_scope');
    expect((await oidcLogin({ scope: 'openid,email' })).location?.searchParams.get('error')).toBe('invalid_scope');
    const v2 = await access({ code: codeOf(await login()) });
    const info = await get(`${up.url}/api/openid.connect.userInfo`, bearerHeader((v2.body?.authed_user as { access_token: string }).access_token));
    expect(info.body?.error).toBe('missing_scope');
  });
});
