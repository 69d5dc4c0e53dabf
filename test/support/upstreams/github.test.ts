/** The GitHub emulator accepts what GitHub documents and rejects what GitHub rejects. */
import { startGitHub } from './index.ts';
import type { GitHubOptions, Upstream } from './index.ts';
import { authorizeAt, basic, bearerHeader, codeOf, get, pkcePair, postForm, postJson } from './drive.ts';

const CB = 'http://127.0.0.1:9/login/callback';
const UA = { 'user-agent': 'brokerid-test' };
let up: Upstream;
const start = async (o: Partial<GitHubOptions> = {}) => { up = await startGitHub({ clientId: 'Iv1.abc', clientSecret: 'ghsecret', redirectUris: [CB], ...o }); };
afterEach(() => up.close());

const login = (extra: Record<string, string | undefined> = {}) =>
  authorizeAt(up.url, '/login/oauth/authorize', { client_id: 'Iv1.abc', redirect_uri: CB, scope: 'read:user user:email', state: 'st', ...extra });
const exchange = (params: Record<string, string | undefined>, headers: Record<string, string> = { accept: 'application/json' }) =>
  postForm(`${up.url}/login/oauth/access_token`, { client_id: 'Iv1.abc', client_secret: 'ghsecret', ...params }, headers);
const tokenOf = async (extra: Record<string, string | undefined> = {}) => (await exchange({ code: codeOf(await login(extra)) })).body?.access_token;

describe('github emulator', () => {
  beforeEach(() => start());

  it('authorize: registered callback by default, sub-paths allowed, no response_type needed', async () => {
    expect(codeOf(await login({ redirect_uri: undefined }))).toBeTruthy();
    expect((await login({ redirect_uri: `${CB}/deeper` })).location?.pathname).toBe('/login/callback/deeper');
  });

  it('authorize: unknown client is a 404 page; a foreign redirect_uri goes to the registered callback with an error', async () => {
    const a = await login({ client_id: 'nope' });
    expect([a.status, a.location]).toEqual([404, undefined]);
    const m = await login({ redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    expect(`${m.location?.origin}${m.location?.pathname}`).toBe(CB);
    expect(m.location?.searchParams.get('error')).toBe('redirect_uri_mismatch');
    expect(m.location?.searchParams.get('error_uri')).toContain('docs.github.com');
    expect(m.location?.searchParams.get('state')).toBe('st');
  });

  it('authorize: scopes are space-delimited documented scopes; PKCE only S256', async () => {
    expect((await login({ scope: 'read:user,user:email' })).location?.searchParams.get('error')).toBe('invalid_scope');
    expect((await login({ scope: 'profile' })).location?.searchParams.get('error')).toBe('invalid_scope');
    const plain = pkcePair('plain');
    expect((await login({ code_challenge: plain.challenge, code_challenge_method: 'plain' })).location?.searchParams.get('error')).toBe('invalid_request');
  });

  it('token: form-encoded by default, JSON or XML on request, comma-separated scope', async () => {
    const form = await exchange({ code: codeOf(await login()) }, {});
    expect(form.headers.get('content-type')).toContain('application/x-www-form-urlencoded');
    const parsed = new URLSearchParams(form.text);
    expect(parsed.get('access_token')).toMatch(/^gho_/);
    expect([parsed.get('scope'), parsed.get('token_type')]).toEqual(['read:user,user:email', 'bearer']);
    expect((await exchange({ code: codeOf(await login()) })).body).toMatchObject({ token_type: 'bearer', scope: 'read:user,user:email' });
    expect((await exchange({ code: codeOf(await login()) }, { accept: 'application/xml' })).text).toMatch(/^<OAuth><access_token>gho_/);
  });

  it('token: JSON bodies and Basic credentials are accepted too', async () => {
    const code = codeOf(await login());
    expect((await postJson(`${up.url}/login/oauth/access_token`, { client_id: 'Iv1.abc', client_secret: 'ghsecret', code }, { accept: 'application/json' })).status).toBe(200);
    const viaBasic = await postForm(`${up.url}/login/oauth/access_token`, { code: codeOf(await login()) }, { ...basic('Iv1.abc', 'ghsecret'), accept: 'application/json' });
    expect(viaBasic.body?.access_token).toBeDefined();
  });

  it('token: failures come back as HTTP 200 with GitHub error names', async () => {
    const cases: Array<[Record<string, string | undefined>, string]> = [
      [{ code: codeOf(await login()), client_secret: 'wrong' }, 'incorrect_client_credentials'],
      [{ code: 'made-up' }, 'bad_verification_code'],
      [{ code: codeOf(await login()), redirect_uri: 'http://127.0.0.1:9/other' }, 'redirect_uri_mismatch'],
      [{ code: codeOf(await login({ code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })), code_verifier: pkcePair().verifier }, 'bad_verification_code'],
      [{ code: codeOf(await login()), grant_type: 'refresh_token' }, 'unsupported_grant_type'],
    ];
    for (const [params, error] of cases) {
      const r = await exchange(params);
      expect([r.status, r.body?.error]).toEqual([200, error]);
    }
    const used = codeOf(await login());
    await exchange({ code: used });
    expect(new URLSearchParams((await exchange({ code: used }, {})).text).get('error')).toBe('bad_verification_code');
  });

  it('API: needs a User-Agent and `token`/`Bearer` auth; reports granted scopes', async () => {
    const t = await tokenOf();
    const me = await get(`${up.url}/user`, { ...UA, ...bearerHeader(t, 'token') });
    expect(me.body).toMatchObject({ login: 'octocat', id: 583231, email: null });
    expect(me.headers.get('x-oauth-scopes')).toBe('read:user, user:email');
    expect((await get(`${up.url}/user`, { ...UA, ...bearerHeader(t) })).status).toBe(200);
    const noUa = await fetch(`${up.url}/user`, { headers: { ...bearerHeader(t), 'user-agent': '' } });
    expect(noUa.status).toBe(403);
    expect((await get(`${up.url}/user`, UA)).body?.message).toBe('Requires authentication');
    expect((await get(`${up.url}/user?access_token=${String(t)}`, UA)).status).toBe(401);
    expect((await get(`${up.url}/user`, { ...UA, ...bearerHeader('gho_forged') })).body?.message).toBe('Bad credentials');
  });

  it('API: /user/emails needs user or user:email scope', async () => {
    const withScope = await get(`${up.url}/user/emails`, { ...UA, ...bearerHeader(await tokenOf()) });
    expect(withScope.body).toEqual([{ email: 'octocat@users.example.com', primary: true, verified: true, visibility: null }]);
    expect((await get(`${up.url}/user/emails`, { ...UA, ...bearerHeader(await tokenOf({ scope: 'read:user' })) })).status).toBe(404);
  });
});

describe('github emulator — expiring user tokens (GitHub Apps)', () => {
  it('answers expires_in + refresh_token and rotates refresh tokens', async () => {
    await start({ expiringTokens: true });
    const t = await exchange({ code: codeOf(await login({ scope: undefined })) });
    expect(t.body).toMatchObject({ expires_in: 28800, refresh_token_expires_in: 15897600, scope: '' });
    expect(String(t.body?.access_token)).toMatch(/^ghu_/);
    const r = await exchange({ grant_type: 'refresh_token', refresh_token: String(t.body?.refresh_token) });
    expect(String(r.body?.refresh_token)).toMatch(/^ghr_/);
    expect((await exchange({ grant_type: 'refresh_token', refresh_token: String(t.body?.refresh_token) })).body?.error).toBe('bad_refresh_token');
  });
});
