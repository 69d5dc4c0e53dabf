/** The TikTok emulator: client_key everywhere, comma-separated scopes, v2 and v1-shaped token answers. */
import { startTikTok } from './index.ts';
import type { TikTokOptions, Upstream } from './index.ts';
import { authorizeAt, basic, bearerHeader, codeOf, get, pkcePair, postForm, postJson } from './drive.ts';

const CB = 'http://127.0.0.1:9/login/callback';
let up: Upstream;
const start = async (o: Partial<TikTokOptions> = {}) => { up = await startTikTok({ clientId: 'awkey123', clientSecret: 'tts', redirectUris: [CB], ...o }); };
afterEach(() => up.close());

const login = (extra: Record<string, string | undefined> = {}) =>
  authorizeAt(up.url, '/v2/auth/authorize/', { client_key: 'awkey123', response_type: 'code', scope: 'user.info.basic,user.info.profile', redirect_uri: CB, state: 's', ...extra });
const exchange = (params: Record<string, string | undefined>, headers: Record<string, string> = {}) =>
  postForm(`${up.url}/v2/oauth/token/`, { client_key: 'awkey123', client_secret: 'tts', grant_type: 'authorization_code', redirect_uri: CB, ...params }, headers);
const info = (token: unknown, fields = 'open_id,union_id,avatar_url,display_name') => get(`${up.url}/v2/user/info/?fields=${fields}`, bearerHeader(token));

describe('tiktok emulator — Login Kit v2', () => {
  beforeEach(() => start());

  it('accepts a correct login and answers user info with the requested fields only', async () => {
    const t = await exchange({ code: codeOf(await login()) });
    expect(t.body).toMatchObject({ open_id: '-000OpenIdTikTok1', scope: 'user.info.basic,user.info.profile', token_type: 'Bearer', expires_in: 86400, refresh_expires_in: 31536000 });
    expect(String(t.body?.access_token)).toMatch(/^act\./);
    const me = await info(t.body?.access_token);
    expect(me.body?.data).toEqual({ user: { open_id: '-000OpenIdTikTok1', union_id: expect.any(String) as unknown, avatar_url: expect.any(String) as unknown, display_name: 'Tik Toker' } });
    expect(me.body?.error).toMatchObject({ code: 'ok', message: '' });
  });

  it('authorize: client_key (not client_id), exact redirect_uri, comma-separated known scopes', async () => {
    for (const a of [await login({ client_key: undefined, client_id: 'awkey123' }), await login({ client_key: 'other' }), await login({ redirect_uri: `${CB}/` })]) {
      expect([a.status, a.location]).toEqual([400, undefined]);
    }
    expect((await login({ scope: 'user.info.basic user.info.profile' })).location?.searchParams.get('error')).toBe('invalid_scope');
    expect((await login({ scope: 'openid' })).location?.searchParams.get('error')).toBe('invalid_scope');
    expect((await login({ response_type: undefined })).location?.searchParams.get('error')).toBe('invalid_request');
  });

  it('token: form body with client_key + client_secret and redirect_uri, nothing else', async () => {
    const json = await postJson(`${up.url}/v2/oauth/token/`, { client_key: 'awkey123', client_secret: 'tts', code: codeOf(await login()), grant_type: 'authorization_code', redirect_uri: CB });
    expect([json.status, json.body?.error]).toEqual([400, 'invalid_request']);
    expect(json.body?.log_id).toEqual(expect.any(String));
    const clientId = await exchange({ code: codeOf(await login()), client_key: undefined, client_id: 'awkey123' });
    expect(clientId.body?.error_description).toContain('client_key is required');
    const viaBasic = await exchange({ code: codeOf(await login()), client_key: undefined, client_secret: undefined }, basic('awkey123', 'tts'));
    expect([viaBasic.status, viaBasic.body?.error]).toEqual([401, 'invalid_client']);
    expect((await exchange({ code: codeOf(await login()), redirect_uri: undefined })).body?.error).toBe('invalid_request');
    expect((await exchange({ code: codeOf(await login()), client_secret: 'bad' })).status).toBe(401);
    const used = codeOf(await login());
    await exchange({ code: used });
    expect((await exchange({ code: used })).body?.error).toBe('invalid_grant');
  });

  it('refresh rotates the refresh token', async () => {
    const t = await exchange({ code: codeOf(await login()) });
    const refresh = (rt: unknown) => exchange({ grant_type: 'refresh_token', refresh_token: String(rt), redirect_uri: undefined });
    const r = await refresh(t.body?.refresh_token);
    expect(String(r.body?.refresh_token)).toMatch(/^rft\./);
    expect((await refresh(t.body?.refresh_token)).body?.error).toBe('invalid_grant');
  });

  it('user info: fields required and known, scope per field, bearer required, exact path', async () => {
    const token = (await exchange({ code: codeOf(await login({ scope: 'user.info.basic' })) })).body?.access_token;
    expect((await get(`${up.url}/v2/user/info/`, bearerHeader(token))).body?.error).toMatchObject({ code: 'invalid_params' });
    expect((await info(token, 'open_id,email')).status).toBe(400);
    const stats = await info(token, 'open_id,follower_count');
    expect([stats.status, (stats.body?.error as { code: string }).code]).toEqual([401, 'scope_not_authorized']);
    const anon = await get(`${up.url}/v2/user/info/?fields=open_id`);
    expect([anon.status, (anon.body?.error as { code: string }).code]).toEqual([401, 'access_token_invalid']);
    expect((await get(`${up.url}/v2/user/info?fields=open_id`, bearerHeader(token))).status).toBe(404);
  });
});

describe('tiktok emulator — variants', () => {
  it('nestUnderData answers like v1: tokens under data, errors as HTTP 200 with error_code', async () => {
    await start({ nestUnderData: true });
    const t = await exchange({ code: codeOf(await login()) });
    expect(t.body).toMatchObject({ message: 'success', data: { open_id: '-000OpenIdTikTok1', error_code: 0 } });
    expect(String((t.body?.data as { access_token: string }).access_token)).toMatch(/^act\./);
    const bad = await exchange({ code: 'made-up' });
    expect([bad.status, bad.body?.message, (bad.body?.data as { error_code: number }).error_code]).toEqual([200, 'error', 10007]);
  });

  it('desktop PKCE compares hex(SHA-256(verifier))', async () => {
    await start({ pkce: 'hex' });
    expect((await login()).location?.searchParams.get('error_description')).toBe('code_challenge is required');
    const hex = pkcePair('S256', 'hex');
    const ok = await exchange({ code: codeOf(await login({ code_challenge: hex.challenge, code_challenge_method: 'S256' })), code_verifier: hex.verifier });
    expect(ok.status).toBe(200);
    const b64 = pkcePair('S256');
    const bad = await exchange({ code: codeOf(await login({ code_challenge: b64.challenge, code_challenge_method: 'S256' })), code_verifier: b64.verifier });
    expect(bad.body).toMatchObject({ error: 'invalid_request', error_description: 'Code verifier or code challenge is invalid.' });
  });
});
