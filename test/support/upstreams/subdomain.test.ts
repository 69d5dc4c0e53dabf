/** The tenant-per-host (Zendesk-style) emulator: Host routing, tenant-bound codes and tokens, JSON token bodies. */
import { send, startSubdomain } from './index.ts';
import type { SubdomainOptions, SubdomainUpstream } from './index.ts';
import { pkcePair } from './drive.ts';

const CB = 'http://127.0.0.1:9/login/callback';
let up: SubdomainUpstream;
const start = async (o: Partial<SubdomainOptions> = {}) => { up = await startSubdomain({ clientId: 'zdapp', clientSecret: 'zds', redirectUris: [CB], tenants: ['acme', 'globex'], ...o }); };
afterEach(() => up.close());

const at = (tenant: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
  send(`${up.url}${path}`, { ...init, host: up.hostOf(tenant) });
const login = async (tenant = 'acme', extra: Record<string, string> = {}) => {
  const q = new URLSearchParams({ response_type: 'code', client_id: 'zdapp', redirect_uri: CB, scope: 'read', state: 's', ...extra });
  const r = await at(tenant, `/oauth/authorizations/new?${q.toString()}`);
  return { status: r.status, location: r.headers.location === undefined ? undefined : new URL(r.headers.location) };
};
const code = async (tenant = 'acme', extra: Record<string, string> = {}) => (await login(tenant, extra)).location?.searchParams.get('code') ?? 'none';
const tokens = async (tenant: string, body: Record<string, string | undefined>, headers: Record<string, string> = {}) => {
  const r = await at(tenant, '/oauth/tokens', {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ grant_type: 'authorization_code', client_id: 'zdapp', client_secret: 'zds', redirect_uri: CB, scope: 'read', ...body }),
  });
  return { status: r.status, body: JSON.parse(r.text) as Record<string, unknown> };
};
const me = (tenant: string, token?: unknown) => at(tenant, '/api/v2/users/me.json', { headers: token === undefined ? {} : { authorization: `Bearer ${String(token)}` } });

describe('subdomain emulator', () => {
  beforeEach(() => start());

  it('serves a tenant by Host: authorize → JSON token request → users/me', async () => {
    expect(up.tenantUrl('acme')).toBe(`http://acme.localhost:${up.port}`);
    const t = await tokens('acme', { code: await code() });
    expect(t.body).toMatchObject({ token_type: 'bearer', scope: 'read' });
    const r = await me('acme', t.body.access_token);
    expect(JSON.parse(r.text)).toMatchObject({ user: { id: 35436, name: 'Johnny Agent', url: `${up.tenantUrl('acme')}/api/v2/users/35436.json` } });
    expect(up.lastToken?.headers.host).toBe(up.hostOf('acme'));
  });

  it('404s unknown tenants and the bare loopback host', async () => {
    expect((await at('initech', '/oauth/authorizations/new')).status).toBe(404);
    expect((await send(`${up.url}/oauth/authorizations/new`)).status).toBe(404);
    expect((await send(`${up.url}/api/v2/users/me.json`, { host: `acme.localhost:${up.port + 1}` })).status).toBe(404);
  });

  it('binds codes and tokens to the tenant that issued them', async () => {
    const cross = await tokens('globex', { code: await code('acme') });
    expect([cross.status, cross.body.error]).toEqual([400, 'invalid_grant']);
    const t = await tokens('acme', { code: await code('acme') });
    expect((await me('globex', t.body.access_token)).status).toBe(401);
  });

  it('token: form bodies too; credentials only in the body; redirect_uri required', async () => {
    const form = await at('acme', '/oauth/tokens', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: await code(), client_id: 'zdapp', client_secret: 'zds', redirect_uri: CB }).toString(),
    });
    expect(form.status).toBe(200);
    const viaBasic = await tokens('acme', { code: await code(), client_secret: undefined }, { authorization: `Basic ${Buffer.from('zdapp:zds').toString('base64')}` });
    expect([viaBasic.status, viaBasic.body.error]).toEqual([401, 'invalid_client']);
    expect((await tokens('acme', { code: await code(), redirect_uri: undefined })).body.error).toBe('invalid_request');
  });

  it('authorize: space-separated Zendesk scopes, exact redirect_uri', async () => {
    expect((await login('acme', { scope: 'read,write' })).location?.searchParams.get('error')).toBe('invalid_scope');
    expect((await login('acme', { scope: 'openid' })).location?.searchParams.get('error')).toBe('invalid_scope');
    expect((await login('acme', { scope: 'tickets:read users:read' })).location?.searchParams.get('code')).toBeTruthy();
    expect(await login('acme', { redirect_uri: `${CB}/x` })).toEqual({ status: 400, location: undefined });
  });

  it('users/me: anonymous user without a token, 401 for a bad one, 403 without read scope', async () => {
    const anon = await me('acme');
    expect([anon.status, (JSON.parse(anon.text) as { user: { id: unknown } }).user.id]).toEqual([200, null]);
    expect((await me('acme', 'forged')).status).toBe(401);
    const writeOnly = await tokens('acme', { code: await code('acme', { scope: 'write' }), scope: 'write' });
    expect((await me('acme', writeOnly.body.access_token)).status).toBe(403);
  });
});

describe('subdomain emulator — options', () => {
  it('public clients must use PKCE (S256)', async () => {
    await start({ clientSecret: undefined });
    expect((await login()).location?.searchParams.get('error')).toBe('invalid_request');
    const p = pkcePair();
    const c = await code('acme', { code_challenge: p.challenge, code_challenge_method: 'S256' });
    expect((await tokens('acme', { code: c, client_secret: undefined, code_verifier: p.verifier })).status).toBe(200);
  });

  it('refreshTokens: expiring tokens with rotating refresh tokens', async () => {
    await start({ refreshTokens: true });
    const t = await tokens('acme', { code: await code() });
    expect(t.body).toMatchObject({ expires_in: 172800, refresh_token: expect.any(String) as unknown });
    const refresh = (rt: unknown) => tokens('acme', { grant_type: 'refresh_token', refresh_token: String(rt), redirect_uri: undefined, scope: undefined });
    expect((await refresh(t.body.refresh_token)).status).toBe(200);
    expect((await refresh(t.body.refresh_token)).body.error).toBe('invalid_grant');
  });
});
