import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ADMIN_ID, startTestServer, type TestServer } from '../support/server.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.close();
});

type Client = Record<string, unknown> & { client_id: string; client_secret?: string };

test('create shows the secret once; get/list/patch never do', async () => {
  const created = await srv.api('/clients', {
    method: 'POST',
    body: { name: 'Web app', app_type: 'regular_web', callbacks: ['https://app.example/cb'], allowed_logout_urls: ['https://app.example/'] },
  });
  expect(created.status).toBe(201);
  const c = created.body as Client;
  expect(c.client_id).toMatch(/^[A-Za-z0-9]{32}$/);
  expect(c.client_secret).toMatch(/^[A-Za-z0-9]{64}$/);
  expect(c).toMatchObject({ name: 'Web app', app_type: 'regular_web', is_first_party: true, token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], callbacks: ['https://app.example/cb'] });

  const got = (await srv.api(`/clients/${c.client_id}`)).body as Client;
  expect(got).not.toHaveProperty('client_secret');
  expect(got).not.toHaveProperty('client_secret_enc');
  const list = (await srv.api('/clients')).body as Client[];
  expect(list.find((x) => x.client_id === c.client_id)).not.toHaveProperty('client_secret');
  const patched = await srv.api(`/clients/${c.client_id}`, { method: 'PATCH', body: { name: 'Renamed', callbacks: ['https://app.example/cb2'] } });
  expect(patched.status).toBe(200);
  expect(patched.body).toMatchObject({ name: 'Renamed', callbacks: ['https://app.example/cb2'], app_type: 'regular_web' });
  expect(patched.body).not.toHaveProperty('client_secret');

  const db = await readFile(join(srv.dataDir, 'store.sqlite'));
  expect(db.includes(Buffer.from(c.client_secret!))).toBe(false);
});

test('rotate-secret issues a new secret that works, and the old one stops working', async () => {
  const c = (await srv.api('/clients', { method: 'POST', body: { name: 'm2m', app_type: 'non_interactive' } })).body as Client;
  await srv.api('/client-grants', { method: 'POST', body: { client_id: c.client_id, audience: 'https://api.example/', scope: ['a'] } });
  const token = (secret: string) => fetch(`${srv.issuer}oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: c.client_id, client_secret: secret, audience: 'https://api.example/' }),
  });
  expect((await token(c.client_secret!)).status).toBe(200);
  const rotated = await srv.api(`/clients/${c.client_id}/rotate-secret`, { method: 'POST' });
  expect(rotated.status).toBe(200);
  const fresh = (rotated.body as Client).client_secret!;
  expect(fresh).not.toBe(c.client_secret);
  expect((await token(fresh)).status).toBe(200);
  expect((await token(c.client_secret!)).status).toBe(401);
});

test('public clients: spa gets no secret and must use PKCE', async () => {
  const spa = await srv.api('/clients', { method: 'POST', body: { name: 'SPA', app_type: 'spa', callbacks: ['http://localhost:5173/cb'] } });
  expect(spa.status).toBe(201);
  expect(spa.body).toMatchObject({ token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] });
  expect(spa.body).not.toHaveProperty('client_secret');
  const relaxed = await srv.api(`/clients/${(spa.body as Client).client_id}`, { method: 'PATCH', body: { require_pkce: false } });
  expect(relaxed.status).toBe(400);
  expect((relaxed.body as { message: string }).message).toMatch(/require_pkce: public clients must use PKCE/);
});

test('validation errors name the field and store nothing', async () => {
  const before = ((await srv.api('/clients')).body as Client[]).length;
  const cases: [unknown, RegExp][] = [
    [{}, /name/],
    [{ name: 'x', grant_types: ['password'] }, /grant_types\.0: unsupported grant type/],
    [{ name: 'x', callbacks: ['not a url'] }, /callbacks\.0: must be an absolute URL/],
    [{ name: 'x', bogus: true }, /Additional properties not allowed: bogus/],
    [{ name: 'x', app_type: 'spa', token_endpoint_auth_method: 'client_secret_post' }, /a spa cannot keep a secret/],
    [{ name: 'x', app_type: 'non_interactive', grant_types: ['authorization_code'] }, /non_interactive client may only use client_credentials/],
    ['[1,2', /Invalid JSON body/],
  ];
  for (const [body, message] of cases) {
    const res = await srv.api('/clients', { method: 'POST', body });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(message);
  }
  expect(((await srv.api('/clients')).body as Client[]).length).toBe(before);
});

test('404 for unknown clients; delete removes the client and its grants', async () => {
  expect((await srv.api('/clients/nope')).status).toBe(404);
  expect((await srv.api('/clients/nope', { method: 'PATCH', body: { name: 'y' } })).status).toBe(404);
  expect((await srv.api('/clients/nope', { method: 'DELETE' })).status).toBe(404);
  const c = (await srv.api('/clients', { method: 'POST', body: { name: 'doomed', app_type: 'non_interactive' } })).body as Client;
  await srv.api('/client-grants', { method: 'POST', body: { client_id: c.client_id, audience: 'https://api.example/', scope: ['x'] } });
  expect((await srv.api(`/clients/${c.client_id}`, { method: 'DELETE' })).status).toBe(204);
  expect((await srv.api(`/clients/${c.client_id}`)).status).toBe(404);
  const grants = (await srv.api(`/client-grants?client_id=${c.client_id}`)).body as unknown[];
  expect(grants).toEqual([]);
});

test('client listing pages like Auth0', async () => {
  for (let i = 0; i < 3; i++) await srv.api('/clients', { method: 'POST', body: { name: `page-${i}`, app_type: 'non_interactive' } });
  const all = (await srv.api('/clients')).body as Client[];
  const page = (await srv.api('/clients?per_page=2&page=0&include_totals=true')).body as { clients: Client[]; total: number; start: number; limit: number };
  expect(page).toMatchObject({ start: 0, limit: 2, total: all.length });
  expect(page.clients).toHaveLength(2);
  const second = (await srv.api('/clients?per_page=2&page=1&include_totals=true')).body as { clients: Client[]; start: number };
  expect(second.start).toBe(2);
  expect(second.clients[0]!.client_id).not.toBe(page.clients[0]!.client_id);
  const fields = (await srv.api('/clients?fields=client_id,name')).body as Client[];
  expect(Object.keys(fields[0]!).sort()).toEqual(['client_id', 'name']);
  const bad = await srv.api('/clients?per_page=1000');
  expect(bad.status).toBe(400);
  expect((bad.body as { message: string }).message).toMatch(/per_page: must be at most 100/);
});

test('client grants: create, 409 on duplicate, list filters, patch, unknown scopes refused, delete', async () => {
  const c = (await srv.api('/clients', { method: 'POST', body: { name: 'grantee', app_type: 'non_interactive' } })).body as Client;
  const aud = `${srv.issuer}api/v2/`;
  const created = await srv.api('/client-grants', { method: 'POST', body: { client_id: c.client_id, audience: aud, scope: ['read:clients'] } });
  expect(created.status).toBe(201);
  const grant = created.body as { id: string };
  expect(grant.id).toMatch(/^cgr_[A-Za-z0-9]{16}$/);
  expect(created.body).toEqual({ id: grant.id, client_id: c.client_id, audience: aud, scope: ['read:clients'] });
  const dup = await srv.api('/client-grants', { method: 'POST', body: { client_id: c.client_id, audience: aud, scope: [] } });
  expect(dup.status).toBe(409);
  const unknown = await srv.api('/client-grants', { method: 'POST', body: { client_id: c.client_id, audience: 'https://x/', scope: ['read:clients'] } });
  expect(unknown.status).toBe(201);
  const badScope = await srv.api(`/client-grants/${grant.id}`, { method: 'PATCH', body: { scope: ['fly:away'] } });
  expect(badScope.status).toBe(400);
  expect((badScope.body as { message: string }).message).toMatch(/unknown Management API scopes: fly:away/);
  const patched = await srv.api(`/client-grants/${grant.id}`, { method: 'PATCH', body: { scope: ['read:clients', 'read:users'] } });
  expect((patched.body as { scope: string[] }).scope).toEqual(['read:clients', 'read:users']);
  const byClient = (await srv.api(`/client-grants?client_id=${c.client_id}&audience=${encodeURIComponent(aud)}`)).body as { id: string }[];
  expect(byClient.map((g) => g.id)).toEqual([grant.id]);
  const admin = (await srv.api(`/client-grants?client_id=${ADMIN_ID}`)).body as { scope: string[] }[];
  expect(admin[0]!.scope).toContain('read:user_idp_tokens');
  const missingClient = await srv.api('/client-grants', { method: 'POST', body: { client_id: 'ghost', audience: aud, scope: [] } });
  expect(missingClient.status).toBe(404);
  expect((await srv.api(`/client-grants/${grant.id}`, { method: 'DELETE' })).status).toBe(204);
  expect((await srv.api(`/client-grants/${grant.id}`, { method: 'DELETE' })).status).toBe(404);
});
