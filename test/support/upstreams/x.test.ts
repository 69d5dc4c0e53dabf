/** The X emulator: mandatory PKCE and state, Basic-only confidential clients, 30-second codes, rotating refresh. */
import { startX } from './index.ts';
import type { Upstream, XOptions } from './index.ts';
import { authorizeAt, basic, bearerHeader, codeOf, get, pkcePair, postForm } from './drive.ts';

const CB = 'http://127.0.0.1:9/login/callback';
let up: Upstream;
const start = async (o: Partial<XOptions> = {}) => { up = await startX({ clientId: 'xcid', clientSecret: 'xsec', redirectUris: [CB], ...o }); };
afterEach(() => up.close());

const pair = pkcePair();
const login = (extra: Record<string, string | undefined> = {}) =>
  authorizeAt(up.url, '/i/oauth2/authorize', {
    response_type: 'code', client_id: 'xcid', redirect_uri: CB, scope: 'tweet.read users.read offline.access', state: 'st',
    code_challenge: pair.challenge, code_challenge_method: 'S256', ...extra,
  });
const exchange = (params: Record<string, string | undefined>, headers: Record<string, string> = basic('xcid', 'xsec')) =>
  postForm(`${up.url}/2/oauth2/token`, { grant_type: 'authorization_code', redirect_uri: CB, code_verifier: pair.verifier, ...params }, headers);
const me = (token: unknown, query = '') => get(`${up.url}/2/users/me${query}`, bearerHeader(token));

describe('x emulator — confidential client', () => {
  beforeEach(() => start());

  it('accepts the documented flow and answers /2/users/me', async () => {
    const t = await exchange({ code: codeOf(await login()), client_id: 'xcid' });
    expect(t.body).toMatchObject({ token_type: 'bearer', expires_in: 7200, scope: 'tweet.read users.read offline.access' });
    expect(t.body?.refresh_token).toEqual(expect.any(String));
    expect((await me(t.body?.access_token)).body).toEqual({ data: { id: '2244994945', name: 'X Dev', username: 'XDevelopers' } });
    const more = await me(t.body?.access_token, '?user.fields=profile_image_url,verified,confirmed_email');
    expect(more.body?.data).toEqual({ id: '2244994945', name: 'X Dev', username: 'XDevelopers', profile_image_url: expect.any(String) as unknown, verified: false });
  });

  it('authorize: every problem is a page — PKCE, state, scope format, client, redirect_uri', async () => {
    const bad = [
      await login({ code_challenge: undefined, code_challenge_method: undefined }), await login({ state: undefined }),
      await login({ scope: 'tweet.read,users.read' }), await login({ scope: 'tweet.read profile' }), await login({ client_id: 'other' }),
      await login({ redirect_uri: `${CB}/x` }), await login({ code_challenge_method: 'S512' }), await login({ response_type: 'token' }),
    ];
    for (const a of bad) expect([a.status, a.location]).toEqual([400, undefined]);
    expect(codeOf(await login({ code_challenge: pkcePair('plain').challenge, code_challenge_method: 'plain' }))).toBeTruthy();
  });

  it('token: HTTP Basic only — body secrets and missing Basic are refused', async () => {
    const inBody = await exchange({ code: codeOf(await login()), client_id: 'xcid', client_secret: 'xsec' }, {});
    expect([inBody.status, inBody.body?.error]).toEqual([401, 'unauthorized_client']);
    expect((await exchange({ code: codeOf(await login()), client_secret: 'xsec' })).status).toBe(401);
    const noAuth = await exchange({ code: codeOf(await login()), client_id: 'xcid' }, {});
    expect(noAuth.body).toEqual({ error: 'unauthorized_client', error_description: 'Missing valid authorization header' });
    expect((await exchange({ code: codeOf(await login()) }, basic('xcid', 'wrong'))).status).toBe(401);
  });

  it('token: code_verifier, redirect_uri and a fresh (30 s) code are required', async () => {
    expect((await exchange({ code: codeOf(await login()), code_verifier: undefined })).status).toBe(400);
    expect((await exchange({ code: codeOf(await login()), code_verifier: pkcePair().verifier })).body?.error).toBe('invalid_request');
    expect((await exchange({ code: codeOf(await login()), redirect_uri: undefined })).status).toBe(400);
    const code = codeOf(await login());
    up.advanceTime(31_000);
    expect((await exchange({ code })).body?.error_description).toBe('Value passed for the authorization code was invalid.');
  });

  it('refresh tokens only with offline.access, rotated on use', async () => {
    expect((await exchange({ code: codeOf(await login({ scope: 'tweet.read users.read' })) })).body?.refresh_token).toBeUndefined();
    const t = await exchange({ code: codeOf(await login()) });
    const refresh = (rt: unknown) => postForm(`${up.url}/2/oauth2/token`, { grant_type: 'refresh_token', refresh_token: String(rt) }, basic('xcid', 'xsec'));
    const r = await refresh(t.body?.refresh_token);
    expect(r.status).toBe(200);
    expect(r.body?.refresh_token).not.toBe(t.body?.refresh_token);
    expect((await refresh(t.body?.refresh_token)).status).toBe(400);
  });

  it('/2/users/me: bearer, tweet.read + users.read, known user.fields', async () => {
    expect((await get(`${up.url}/2/users/me`)).body).toMatchObject({ status: 401, title: 'Unauthorized' });
    const narrow = await exchange({ code: codeOf(await login({ scope: 'users.read' })) });
    expect((await me(narrow.body?.access_token)).status).toBe(403);
    const t = await exchange({ code: codeOf(await login()) });
    expect((await me(t.body?.access_token, '?user.fields=email')).body?.title).toBe('Invalid Request');
  });
});

describe('x emulator — public client', () => {
  it('sends client_id in the body and no credentials', async () => {
    await start({ clientSecret: undefined });
    expect((await exchange({ code: codeOf(await login()), client_id: 'xcid' }, {})).status).toBe(200);
    expect((await exchange({ code: codeOf(await login()) }, {})).status).toBe(400);
    expect((await exchange({ code: codeOf(await login()), client_id: 'xcid' })).status).toBe(401);
  });
});
