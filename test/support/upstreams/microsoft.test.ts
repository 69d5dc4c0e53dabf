/** The Microsoft identity platform emulator: tenant in the path, AADSTS errors, signed id_token, Graph /me. */
import { startMicrosoft } from './index.ts';
import type { MicrosoftOptions, MicrosoftUpstream } from './index.ts';
import { authorizeAt, basic, bearerHeader, codeOf, get, pkcePair, postForm, postJson, verifyJwt } from './drive.ts';

const CB = 'http://127.0.0.1:9/login/callback';
const SCOPE = 'openid profile email offline_access User.Read';
let up: MicrosoftUpstream;
const start = async (o: Partial<MicrosoftOptions> = {}) => { up = await startMicrosoft({ clientId: 'app-guid', clientSecret: 'ms', redirectUris: [CB], ...o }); };
afterEach(() => up.close());

const login = (tenant: string, extra: Record<string, string | undefined> = {}) =>
  authorizeAt(up.url, `/${tenant}/oauth2/v2.0/authorize`, { client_id: 'app-guid', response_type: 'code', redirect_uri: CB, scope: SCOPE, state: 's', nonce: 'n1', ...extra });
const exchange = (tenant: string, params: Record<string, string | undefined>, headers = basic('app-guid', 'ms')) =>
  postForm(`${up.url}/${tenant}/oauth2/v2.0/token`, { grant_type: 'authorization_code', redirect_uri: CB, ...params }, headers);
const aadsts = (a: { body: Record<string, unknown> | undefined }) => (a.body?.error_codes as number[] | undefined)?.[0];

describe('microsoft emulator', () => {
  beforeEach(() => start());

  it('issues Graph-normalized scopes, a verifiable id_token and a refresh token', async () => {
    const t = await exchange(up.tenantId, { code: codeOf(await login(up.tenantId)) });
    expect(t.body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile email https://graph.microsoft.com/User.Read', expires_in: 3599, ext_expires_in: 3599 });
    const claims = verifyJwt(t.body?.id_token, (await get(`${up.url}/common/discovery/v2.0/keys`)).body);
    expect(claims).toMatchObject({
      ver: '2.0', iss: `${up.url}/${up.tenantId}/v2.0`, aud: 'app-guid', tid: up.tenantId, oid: '48d31887-5fad-4d73-a9f5-3c356e68a038',
      nonce: 'n1', preferred_username: 'MeganB@contoso.onmicrosoft.com', email: 'MeganB@contoso.onmicrosoft.com',
    });
    const discovery = await get(`${up.url}/${up.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(discovery.body?.issuer).toBe(claims.iss);
    const r = await postForm(`${up.url}/common/oauth2/v2.0/token`, { grant_type: 'refresh_token', refresh_token: String(t.body?.refresh_token), client_id: 'app-guid', client_secret: 'ms' }, {});
    expect(r.body?.refresh_token).not.toBe(t.body?.refresh_token);
    expect((await exchange('common', { grant_type: 'refresh_token', refresh_token: String(t.body?.refresh_token), redirect_uri: undefined })).status).toBe(200);
  });

  it('omits refresh_token without offline_access and id_token without openid', async () => {
    const t = await exchange('common', { code: codeOf(await login('common', { scope: 'User.Read' })) });
    expect([t.body?.refresh_token, t.body?.id_token, t.body?.scope]).toEqual([undefined, undefined, 'https://graph.microsoft.com/User.Read']);
  });

  it('accepts the tenant GUID, its domain and the aliases; unknown tenants are AADSTS90002', async () => {
    for (const tenant of ['contoso.onmicrosoft.com', 'common', 'organizations']) expect(codeOf(await login(tenant))).toBeTruthy();
    const page = await login('fabrikam.com');
    expect([page.status, page.location, page.text.includes('AADSTS90002')]).toEqual([400, undefined, true]);
    const t = await exchange('fabrikam.com', { code: codeOf(await login('common')) });
    expect([t.status, t.body?.error, aadsts(t)]).toEqual([400, 'invalid_request', 90002]);
  });

  it('authorize: pages for client and redirect_uri, error redirects for scope and prompt', async () => {
    expect((await login('common', { client_id: 'nope' })).text).toContain('AADSTS700016');
    expect((await login('common', { redirect_uri: 'http://127.0.0.1:9/other' })).text).toContain('AADSTS50011');
    expect((await login('common', { scope: 'openid,User.Read' })).location?.searchParams.get('error')).toBe('invalid_scope');
    expect((await login('common', { scope: undefined })).location?.searchParams.get('error')).toBe('invalid_scope');
    expect((await login('common', { prompt: 'always' })).location?.searchParams.get('error_description')).toContain('AADSTS90023');
  });

  it('token: AADSTS errors for body format, secret, reuse, expiry, PKCE and redirect_uri', async () => {
    const json = await postJson(`${up.url}/common/oauth2/v2.0/token`, { grant_type: 'authorization_code', code: codeOf(await login('common')), redirect_uri: CB }, basic('app-guid', 'ms'));
    expect([json.status, aadsts(json)]).toEqual([400, 900144]);
    const secret = await exchange('common', { code: codeOf(await login('common')) }, basic('app-guid', 'bad'));
    expect([secret.status, secret.body?.error, aadsts(secret)]).toEqual([401, 'invalid_client', 7000215]);
    const used = codeOf(await login('common'));
    await exchange('common', { code: used });
    expect(aadsts(await exchange('common', { code: used }))).toBe(54005);
    const old = codeOf(await login('common'));
    up.advanceTime(11 * 60_000);
    expect(aadsts(await exchange('common', { code: old }))).toBe(70008);
    const p = pkcePair();
    expect(aadsts(await exchange('common', { code: codeOf(await login('common', { code_challenge: p.challenge, code_challenge_method: 'S256' })), code_verifier: pkcePair().verifier }))).toBe(50148);
    expect(aadsts(await exchange('common', { code: codeOf(await login('common')), redirect_uri: undefined }))).toBe(900144);
  });

  it('Graph /v1.0/me: bearer token with a User.* scope; $select', async () => {
    const t = await exchange('common', { code: codeOf(await login('common')) });
    const me = await get(`${up.url}/v1.0/me`, bearerHeader(t.body?.access_token));
    expect(me.body).toMatchObject({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity', displayName: 'Megan Bowen', mail: 'MeganB@contoso.onmicrosoft.com' });
    expect(Object.keys((await get(`${up.url}/v1.0/me?$select=id,displayName`, bearerHeader(t.body?.access_token))).body ?? {})).toEqual(['@odata.context', 'id', 'displayName']);
    expect(((await get(`${up.url}/v1.0/me`)).body?.error as { code: string }).code).toBe('InvalidAuthenticationToken');
    const oidcOnly = await exchange('common', { code: codeOf(await login('common', { scope: 'openid profile' })) });
    expect((await get(`${up.url}/v1.0/me`, bearerHeader(oidcOnly.body?.access_token))).status).toBe(403);
  });
});

describe('microsoft emulator — single-tenant app', () => {
  it('refuses /common with AADSTS50194', async () => {
    await start({ audience: 'single' });
    expect((await login('common')).text).toContain('AADSTS50194');
    expect(codeOf(await login(up.tenantId))).toBeTruthy();
  });
});
