/** The generic RFC 6749 emulator accepts a correct client and rejects each rule it enforces. */
import { startGeneric } from './index.ts';
import type { GenericOptions, Upstream } from './index.ts';
import { authorizeAt, basic, bearerHeader, codeOf, get, pkcePair, postForm, postJson } from './drive.ts';

const CB = 'http://127.0.0.1:9/login/callback';
let up: Upstream;
const start = async (o: Partial<GenericOptions> = {}) => { up = await startGeneric({ clientId: 'app', clientSecret: 'sec', redirectUris: [CB], ...o }); };
afterEach(() => up.close());

const login = (extra: Record<string, string | undefined> = {}) =>
  authorizeAt(up.url, '/authorize', { response_type: 'code', client_id: 'app', redirect_uri: CB, scope: 'openid', state: 's', ...extra });
const tokenReq = (params: Record<string, string | undefined>, headers: Record<string, string> = basic('app', 'sec')) =>
  postForm(`${up.url}/token`, { grant_type: 'authorization_code', redirect_uri: CB, ...params }, headers);
const errorOf = (a: { location: URL | undefined }) => a.location?.searchParams.get('error');

describe('generic emulator — authorize', () => {
  beforeEach(() => start({ pkceMethods: ['S256'], requireAuthorizeParams: { audience: 'https://api', prompt: true } }));
  const ok = { audience: 'https://api', prompt: 'login' };

  it('accepts a correct request', async () => {
    expect(codeOf(await login(ok))).toBeTruthy();
  });
  it('shows a page (no redirect) for unknown client, unregistered redirect_uri or repeated params', async () => {
    for (const a of [await login({ ...ok, client_id: 'other' }), await login({ ...ok, redirect_uri: `${CB}/x` }), await get(`${up.url}/authorize?client_id=app&client_id=app`)]) {
      expect([a.status, a.location]).toEqual([400, undefined]);
    }
  });
  it('redirects with an error for response_type, scope, PKCE and required params', async () => {
    expect(errorOf(await login({ ...ok, response_type: 'token' }))).toBe('unsupported_response_type');
    expect(errorOf(await login({ ...ok, response_type: undefined }))).toBe('invalid_request');
    expect(errorOf(await login({ ...ok, scope: 'openid,email' }))).toBe('invalid_scope');
    expect(errorOf(await login({ ...ok, scope: 'openid admin' }))).toBe('invalid_scope');
    expect(errorOf(await login({ ...ok, code_challenge: pkcePair('plain').challenge, code_challenge_method: 'plain' }))).toBe('invalid_request');
    expect(errorOf(await login({ ...ok, code_challenge: 'short', code_challenge_method: 'S256' }))).toBe('invalid_request');
    expect(errorOf(await login({ prompt: 'login' }))).toBe('invalid_request');
    expect(errorOf(await login({ ...ok, audience: 'https://other' }))).toBe('invalid_request');
  });
  it('requires PKCE when configured', async () => {
    await up.close();
    await start({ pkce: 'required' });
    expect((await login()).location?.searchParams.get('error_description')).toBe('code_challenge is required');
  });
});

describe('generic emulator — token', () => {
  it('client_secret_basic: accepts Basic, rejects body secrets, wrong secrets and mixed methods', async () => {
    await start({ clientAuth: 'client_secret_basic' });
    expect((await tokenReq({ code: codeOf(await login()) })).status).toBe(200);
    const post = await tokenReq({ code: codeOf(await login()), client_id: 'app', client_secret: 'sec' }, {});
    expect([post.status, post.body?.error, post.headers.get('www-authenticate')]).toEqual([401, 'invalid_client', 'Basic realm="generic"']);
    expect((await tokenReq({ code: codeOf(await login()) }, basic('app', 'nope'))).status).toBe(401);
    expect((await tokenReq({ code: codeOf(await login()) }, basic('evil', 'sec'))).status).toBe(401);
    expect((await tokenReq({ code: codeOf(await login()), client_secret: 'sec' })).body?.error).toBe('invalid_request');
  });
  it('client_secret_post: accepts body credentials, rejects Basic', async () => {
    await start({ clientAuth: 'client_secret_post' });
    expect((await tokenReq({ code: codeOf(await login()), client_id: 'app', client_secret: 'sec' }, {})).status).toBe(200);
    expect((await tokenReq({ code: codeOf(await login()) })).status).toBe(401);
  });
  it('public client: client_id in the body, no secret, PKCE verified', async () => {
    await start({ clientSecret: undefined, pkce: 'required' });
    const p = pkcePair();
    const code = codeOf(await login({ code_challenge: p.challenge, code_challenge_method: 'S256' }));
    expect((await tokenReq({ code, client_id: 'app', code_verifier: pkcePair().verifier }, {})).body?.error).toBe('invalid_grant');
    const code2 = codeOf(await login({ code_challenge: p.challenge, code_challenge_method: 'S256' }));
    expect((await tokenReq({ code: code2, client_id: 'app', code_verifier: p.verifier }, {})).status).toBe(200);
    const code3 = codeOf(await login({ code_challenge: p.challenge, code_challenge_method: 'S256' }));
    expect((await tokenReq({ code: code3, client_id: 'app', client_secret: 'x', code_verifier: p.verifier }, {})).status).toBe(401);
  });
  it('binds codes to redirect_uri, PKCE and grant_type', async () => {
    await start();
    expect((await tokenReq({ code: codeOf(await login()), redirect_uri: `${CB}/other` })).body?.error).toBe('invalid_grant');
    expect((await tokenReq({ code: codeOf(await login()), redirect_uri: undefined })).body?.error).toBe('invalid_request');
    expect((await tokenReq({ code: codeOf(await login()), code_verifier: pkcePair().verifier })).body?.error).toBe('invalid_grant');
    const noChallengeVerifier = await tokenReq({ code: codeOf(await login({ code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })) });
    expect(noChallengeVerifier.body?.error_description).toBe('missing code_verifier');
    expect((await tokenReq({ code: codeOf(await login()), grant_type: 'password' })).body?.error).toBe('unsupported_grant_type');
    expect((await tokenReq({ code: codeOf(await login()), grant_type: undefined })).body?.error).toBe('invalid_request');
    expect((await tokenReq({ code: 'made-up' })).body?.error).toBe('invalid_grant');
  });
  it('refuses JSON bodies unless acceptJsonBody, and checks required headers', async () => {
    await start({ requireTokenHeaders: { 'x-tenant': 'acme' } });
    const json = await postJson(`${up.url}/token`, { grant_type: 'authorization_code', code: codeOf(await login()), redirect_uri: CB }, { ...basic('app', 'sec'), 'x-tenant': 'acme' });
    expect(json.body?.error).toBe('invalid_request');
    expect((await tokenReq({ code: codeOf(await login()) })).body?.error_description).toBe('header x-tenant missing or wrong');
    expect((await tokenReq({ code: codeOf(await login()) }, { ...basic('app', 'sec'), 'x-tenant': 'acme' })).status).toBe(200);
  });
  it('adds tokenExtras to the answer', async () => {
    await start({ tokenExtras: { data: { nested: 'yes' } } });
    expect((await tokenReq({ code: codeOf(await login()) })).body?.data).toEqual({ nested: 'yes' });
  });
});

describe('generic emulator — refresh and userinfo', () => {
  const refresh = (rt: unknown) => postForm(`${up.url}/token`, { grant_type: 'refresh_token', refresh_token: String(rt) }, basic('app', 'sec'));
  it.each([['rotate', 400], ['reissue', 200], ['static', 200]] as const)('refresh mode %s: reusing the first refresh token → %i', async (mode, status) => {
    await start({ refresh: mode });
    const first = await tokenReq({ code: codeOf(await login()) });
    const second = await refresh(first.body?.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body?.refresh_token === first.body?.refresh_token).toBe(mode === 'static');
    expect((await refresh(first.body?.refresh_token)).status).toBe(status);
  });
  it('refuses widening the scope on refresh, and refresh when disabled', async () => {
    await start();
    const t = await tokenReq({ code: codeOf(await login()) });
    const wide = await postForm(`${up.url}/token`, { grant_type: 'refresh_token', refresh_token: String(t.body?.refresh_token), scope: 'openid email' }, basic('app', 'sec'));
    expect(wide.body?.error).toBe('invalid_scope');
    await up.close();
    await start({ refresh: 'none' });
    expect((await tokenReq({ code: codeOf(await login()) })).body?.refresh_token).toBeUndefined();
  });
  it('userinfo wants an Authorization: Bearer header with a live token', async () => {
    await start();
    const t = await tokenReq({ code: codeOf(await login()) });
    expect((await get(`${up.url}/userinfo`, bearerHeader(t.body?.access_token))).status).toBe(200);
    expect((await get(`${up.url}/userinfo?access_token=${String(t.body?.access_token)}`)).status).toBe(401);
    expect((await get(`${up.url}/userinfo`, bearerHeader('forged'))).status).toBe(401);
  });
});
