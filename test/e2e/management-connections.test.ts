import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MASK, openOptions } from '../../src/connections/stored.ts';
import { createSecretBox } from '../../src/lib/secrets.ts';
import type { ConnectionRecord } from '../../src/store/types.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let srv: TestServer;
/** Every response body this file saw, to prove no secret ever left the server. */
const seen: string[] = [];
const SECRET = 'upstream-client-secret-9f8e7d';
const HEADER_SECRET = 'header-api-key-1a2b3c';

beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.close();
});

type Json = Record<string, unknown>;
interface Reply { status: number; body: unknown }

async function api(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<Reply> {
  const res = await srv.api(path, init);
  seen.push(JSON.stringify(res.body ?? null));
  return res;
}
const post = (body: unknown, token?: string) => api('/connections', { method: 'POST', body, ...(token ? { token } : {}) });
const patch = (id: string, body: unknown) => api(`/connections/${id}`, { method: 'PATCH', body });
const message = (r: Reply): string => String((r.body as Json)['message']);
const stored = async (id: string): Promise<ConnectionRecord> => (await srv.server.store.connections.get(id))!;
const plaintext = async (id: string): Promise<Json> => openOptions(await stored(id), createSecretBox(srv.config.secretsKey));

let n = 0;
const uniqueName = (prefix = 'conn') => `${prefix}-${++n}`;

const options = (extra: Json = {}): Json => ({
  authorizationURL: 'https://provider.example/oauth/authorize',
  tokenURL: 'https://provider.example/oauth/token',
  client_id: 'upstream-client',
  client_secret: SECRET,
  scope: ['openid', 'profile'],
  scripts: { fetchUserProfile: 'function (accessToken, ctx, cb) { cb(null, { user_id: "1" }); }' },
  ...extra,
});
const connection = (extra: Json = {}, opts: Json = {}): Json => ({ name: uniqueName(), strategy: 'oauth2', options: options(opts), ...extra });

async function create(extra: Json = {}, opts: Json = {}): Promise<Json & { id: string; name: string }> {
  const res = await post(connection(extra, opts));
  expect(res.status).toBe(201);
  return res.body as Json & { id: string; name: string };
}

async function newClient(name = 'app'): Promise<string> {
  const res = await api('/clients', { method: 'POST', body: { name, app_type: 'regular_web', callbacks: ['https://app.example/cb'] } });
  return (res.body as { client_id: string }).client_id;
}

describe('create', () => {
  test('201 with Auth0 defaults; client_secret never returned; header values masked; unknown option keys kept', async () => {
    const res = await post(connection({ display_name: 'Acme' }, {
      customHeaders: { 'X-Api-Key': HEADER_SECRET }, authParams: { prompt: 'consent', max_age: 0 }, authParamsMap: { login_hint: 'email' },
      pkce_enabled: true, set_user_root_attributes: 'on_first_login', useOauthSpecScope: true, icon_url: 'https://cdn.example/i.png',
      some_future_option: { nested: [1, 2] },
    }));
    expect(res.status).toBe(201);
    const c = res.body as Json & { id: string; name: string; options: Json };
    expect(c.id).toMatch(/^con_[A-Za-z0-9]{16}$/);
    expect(Object.keys(c).sort()).toEqual(['display_name', 'enabled_clients', 'id', 'is_domain_connection', 'metadata', 'name', 'options',
      'realms', 'show_as_button', 'strategy']);
    expect(c).toMatchObject({ display_name: 'Acme', strategy: 'oauth2', enabled_clients: [], realms: [c.name], is_domain_connection: false,
      show_as_button: true, metadata: {} });
    expect(c.options).not.toHaveProperty('client_secret');
    expect(c.options).toMatchObject({ customHeaders: { 'X-Api-Key': MASK }, authParams: { prompt: 'consent', max_age: '0' },
      authParamsMap: { login_hint: 'email' }, scope: ['openid', 'profile'], some_future_option: { nested: [1, 2] }, pkce_enabled: true });
    const record = await stored(c.id);
    expect(record.version).toBe(1);
    expect(await plaintext(c.id)).toMatchObject({ client_secret: SECRET, customHeaders: { 'X-Api-Key': HEADER_SECRET } });
  });

  test('realms, metadata, is_domain_connection, show_as_button and a string scope are taken as given', async () => {
    const c = await create({ realms: ['a', 'b'], metadata: { team: 'blue' }, is_domain_connection: true, show_as_button: false },
      { scope: 'openid email' });
    expect(c).toMatchObject({ realms: ['a', 'b'], metadata: { team: 'blue' }, is_domain_connection: true, show_as_button: false });
    expect((c['options'] as Json)['scope']).toBe('openid email');
    const empty = await create({ realms: [] });
    expect(empty.realms).toEqual([empty.name]);
  });

  test('409 on a taken name, and the first connection is unchanged', async () => {
    const first = await create({ display_name: 'First' });
    const dup = await post(connection({ name: first.name, display_name: 'Second' }));
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'A connection with the same name already exists', errorCode: 'connection_conflicts' });
    expect((await api(`/connections/${first.id}`)).body).toMatchObject({ display_name: 'First' });
  });

  test('validation errors are Auth0-shaped, name the field and why, and store nothing', async () => {
    const before = ((await api('/connections')).body as Json[]).length;
    const many = (count: number, value = 'v') => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, value]));
    const cases: [Json | unknown[] | string, RegExp][] = [
      [{ strategy: 'oauth2', options: options() }, /name: .*expected string/],
      [connection({ name: '-acme' }), /name: must start and end with a letter or digit/],
      [connection({ name: 'ac--me' }), /name: must start and end/],
      [connection({ name: 'ac_me' }), /name: must start and end/],
      [connection({ name: 'a'.repeat(129) }), /name: at most 128 characters/],
      [connection({ strategy: 'github' }), /^Payload validation error: strategy: "github" is not supported; only "oauth2" is supported/],
      [{ name: 'x', options: options() }, /strategy: /],
      [connection({ bogus: 1 }), /Additional properties not allowed: bogus/],
      [connection({ display_name: 'd'.repeat(129) }), /display_name: at most 128 characters/],
      [connection({ is_domain_connection: 'yes' }), /is_domain_connection: .*expected boolean/],
      [connection({ enabled_clients: 'abc' }), /enabled_clients: .*expected array/],
      [connection({ enabled_clients: ['no-such-client'] }), /enabled_clients: no client has client_id "no-such-client"/],
      [connection({ metadata: many(11) }), /metadata: at most 10 keys/],
      [connection({ metadata: { k: 'v'.repeat(256) } }), /metadata\.k: at most 255 characters/],
      [connection({ metadata: { k: 1 } }), /metadata\.k: .*expected string/],
      [{ name: uniqueName(), strategy: 'oauth2' }, /options: .*expected object/],
      [connection({}, { tokenURL: 'ftp://provider.example/token' }), /options\.tokenURL: must be an https URL/],
      [connection({}, { authorizationURL: 'not a url' }), /options\.authorizationURL: must be an absolute URL/],
      [connection({}, { client_id: undefined }), /options\.client_id: /],
      [connection({}, { scripts: { fetchUserProfile: 'x'.repeat(51_201) } }), /options\.scripts\.fetchUserProfile: at most 51200 characters/],
      [connection({}, { authParams: many(31) }), /options\.authParams: at most 30 entries/],
      [connection({}, { authParamsMap: many(22, 'login_hint') }), /options\.authParamsMap: at most 21 entries/],
      [connection({}, { customHeaders: many(31) }), /options\.customHeaders: at most 30 entries/],
      [connection({}, { customHeaders: { 'X-Evil': 'a\r\nSet-Cookie: x=1' } }), /options\.customHeaders\.X-Evil: must not contain CR or LF/],
      [connection({}, { customHeaders: { 'Bad Name': 'v' } }), /options\.customHeaders\.Bad Name: invalid header name/],
      [connection({}, { customHeaders: { 'X-Api-Key': MASK } }), /options\.customHeaders\.X-Api-Key: the masked value .* has none/],
      [connection({}, { set_user_root_attributes: 'always' }), /options\.set_user_root_attributes: /],
      [connection({}, { pkce_enabled: 'yes' }), /options\.pkce_enabled: .*expected boolean/],
      [connection({}, { scope: 5 }), /options\.scope: /],
      [connection({}, { icon_url: 'javascript:alert(1)' }), /options\.icon_url: must be an https URL/],
      [[1, 2], /body: .*expected object/],
      ['{"name":', /Invalid JSON body/],
    ];
    for (const [body, expected] of cases) {
      const res = await post(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(expected), errorCode: expect.any(String) });
      expect(message(res)).toMatch(/^(Payload validation error: |Invalid JSON body)/);
    }
    expect(((await api('/connections')).body as Json[]).length).toBe(before);
  });
});

describe('read', () => {
  test('GET by id, with fields / include_fields; 404 for an unknown id', async () => {
    const c = await create();
    expect((await api(`/connections/${c.id}`)).body).toEqual(c);
    expect((await api(`/connections/${c.id}?fields=id,name`)).body).toEqual({ id: c.id, name: c.name });
    const without = (await api(`/connections/${c.id}?fields=options&include_fields=false`)).body as Json;
    expect(without).not.toHaveProperty('options');
    expect(without['id']).toBe(c.id);
    const missing = await api('/connections/con_doesnotexist0000');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found', errorCode: 'inexistent_resource', message: expect.stringMatching(/con_doesnotexist0000/) });
  });

  test('list: bare array, page paging with totals, checkpoint paging, filters, field selection, bad paging values', async () => {
    for (let i = 0; i < 3; i++) await create();
    const all = (await api('/connections')).body as Json[];
    expect(Array.isArray(all)).toBe(true);
    expect(all.length).toBeGreaterThanOrEqual(3);
    const ids = all.map((c) => c['id']);
    expect([...ids].sort()).toEqual(ids);

    const page0 = (await api('/connections?per_page=2&page=0&include_totals=true')).body as Json;
    expect(page0).toMatchObject({ start: 0, limit: 2, length: 2, total: all.length });
    expect((page0['connections'] as Json[]).map((c) => c['id'])).toEqual(ids.slice(0, 2));
    const page1 = (await api('/connections?per_page=2&page=1')).body as Json[];
    expect(page1.map((c) => c['id'])).toEqual(ids.slice(2, 4));
    expect((await api('/connections?per_page=2&page=100000')).body).toEqual([]);
    expect((await api('/connections?per_page=0')).body).toEqual([]);

    const first = (await api('/connections?take=2')).body as { connections: Json[]; next?: string };
    expect(first.connections.map((c) => c['id'])).toEqual(ids.slice(0, 2));
    expect(first.next).toBe(ids[1]);
    const second = (await api(`/connections?take=2&from=${first.next}`)).body as { connections: Json[]; next?: string };
    expect(second.connections.map((c) => c['id'])).toEqual(ids.slice(2, 4));
    const last = (await api(`/connections?take=100&from=${String(ids[ids.length - 2])}`)).body as { connections: Json[]; next?: string };
    expect(last.connections.map((c) => c['id'])).toEqual(ids.slice(-1));
    expect(last).not.toHaveProperty('next');

    const target = all[1]!;
    expect(((await api(`/connections?name=${String(target['name'])}`)).body as Json[]).map((c) => c['id'])).toEqual([target['id']]);
    expect((await api('/connections?name=nobody')).body).toEqual([]);
    expect(((await api('/connections?strategy=oauth2&strategy=github')).body as Json[]).length).toBe(all.length);
    expect((await api('/connections?strategy=github')).body).toEqual([]);
    const slim = (await api('/connections?fields=id,strategy')).body as Json[];
    expect(Object.keys(slim[0]!).sort()).toEqual(['id', 'strategy']);

    for (const [query, expected] of [['per_page=101', /per_page: must be at most 100/], ['take=abc', /take: must be a number/],
      ['page=-1', /page: /], ['include_totals=maybe', /include_totals: /]] as const) {
      const res = await api(`/connections?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ errorCode: 'invalid_query_string', message: expect.stringMatching(expected) });
    }
  });
});

describe('update', () => {
  test('options replace the whole object; omitted client_secret and display_name keep the stored ones; version bumps', async () => {
    const c = await create({ display_name: 'Keep me', metadata: { a: '1' } }, { authParams: { prompt: 'login' }, customHeaders: { 'X-Api-Key': HEADER_SECRET } });
    const { client_secret: _omitted, ...withoutSecret } = options({ tokenURL: 'https://provider.example/v2/token' });
    const res = await patch(c.id, { options: withoutSecret });
    expect(res.status).toBe(200);
    const body = res.body as Json & { options: Json };
    expect(body).toMatchObject({ display_name: 'Keep me', metadata: { a: '1' }, name: c.name });
    expect(body.options).not.toHaveProperty('authParams');
    expect(body.options).not.toHaveProperty('customHeaders');
    expect(body.options).not.toHaveProperty('client_secret');
    expect(body.options['tokenURL']).toBe('https://provider.example/v2/token');
    expect(await plaintext(c.id)).toMatchObject({ client_secret: SECRET });
    expect(await plaintext(c.id)).not.toHaveProperty('customHeaders');
    expect((await stored(c.id)).version).toBe(2);

    const renamed = await patch(c.id, { display_name: 'New name', show_as_button: false, realms: ['r1'], is_domain_connection: true });
    expect(renamed.body).toMatchObject({ display_name: 'New name', show_as_button: false, realms: ['r1'], is_domain_connection: true });
    expect((await stored(c.id)).version).toBe(3);
    expect((await patch(c.id, { display_name: null })).body).not.toHaveProperty('display_name');
    expect((await patch(c.id, { realms: [] })).body).toMatchObject({ realms: [c.name] });
    expect((await stored(c.id)).version).toBe(5);
  });

  test('a given client_secret replaces the stored one; client_secret null removes it', async () => {
    const c = await create();
    await patch(c.id, { options: options({ client_secret: 'rotated-secret-xyz' }) });
    expect((await plaintext(c.id))['client_secret']).toBe('rotated-secret-xyz');
    const { client_secret: _s, ...rest } = options();
    expect((await patch(c.id, { options: { ...rest, client_secret: null, token_endpoint_auth_method: 'none' } })).status).toBe(200);
    expect(await plaintext(c.id)).not.toHaveProperty('client_secret');
  });

  test('masked header values keep the stored value; new values replace it; left-out headers go', async () => {
    const c = await create({}, { customHeaders: { 'X-Api-Key': HEADER_SECRET, 'X-Tenant': 'tenant-1', 'X-Gone': 'bye' } });
    const shown = (await api(`/connections/${c.id}`)).body as { options: Json };
    expect(shown.options['customHeaders']).toEqual({ 'X-Api-Key': MASK, 'X-Tenant': MASK, 'X-Gone': MASK });
    // what a GET returned can be sent back as it is
    const res = await patch(c.id, { options: { ...shown.options, customHeaders: { 'X-Api-Key': MASK, 'X-Tenant': 'tenant-2' } } });
    expect(res.status).toBe(200);
    expect((res.body as { options: Json }).options['customHeaders']).toEqual({ 'X-Api-Key': MASK, 'X-Tenant': MASK });
    expect((await plaintext(c.id))['customHeaders']).toEqual({ 'X-Api-Key': HEADER_SECRET, 'X-Tenant': 'tenant-2' });
    const unknownMask = await patch(c.id, { options: { ...shown.options, customHeaders: { 'X-Gone': MASK } } });
    expect(unknownMask.status).toBe(400);
    expect(message(unknownMask)).toMatch(/options\.customHeaders\.X-Gone: the masked value/);
  });

  test('bad patches are refused with the field named, and change nothing (not even the version)', async () => {
    const c = await create({ display_name: 'Stable' });
    const before = await stored(c.id);
    const cases: [unknown, RegExp][] = [
      [{ name: 'renamed' }, /name: a connection's name never changes/],
      [{ strategy: 'oauth2' }, /strategy: a connection's strategy never changes/],
      [{ id: 'con_x' }, /Additional properties not allowed: id/],
      [{ options: { ...options(), tokenURL: 'not a url' } }, /options\.tokenURL: must be an absolute URL/],
      [{ options: { tokenURL: 'https://x.example/t' } }, /options\.authorizationURL: /],
      [{ options: options({ customHeaders: { 'X-A': 'x\ny' } }) }, /options\.customHeaders\.X-A: must not contain CR or LF/],
      [{ enabled_clients: ['ghost-client'] }, /enabled_clients: no client has client_id "ghost-client"/],
      [{ metadata: { k: 'v'.repeat(256) } }, /metadata\.k: at most 255 characters/],
      [{ display_name: 5 }, /display_name: /],
    ];
    for (const [body, expected] of cases) {
      const res = await patch(c.id, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(message(res)).toMatch(/^Payload validation error: /);
      expect(message(res)).toMatch(expected);
    }
    expect(await stored(c.id)).toEqual(before);
  });

  test('404 for an unknown connection', async () => {
    const res = await patch('con_unknown000000000', { display_name: 'x' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ errorCode: 'inexistent_resource' });
  });
});

describe('enabled clients', () => {
  test('enabled_clients in POST and PATCH, GET/PATCH /:id/clients, and a deleted client leaves every connection', async () => {
    const [a, b, d] = [await newClient('a'), await newClient('b'), await newClient('d')];
    const c = await create({ enabled_clients: [a, a] });
    expect(c['enabled_clients']).toEqual([a]);
    expect((await patch(c.id, { enabled_clients: [a, b] })).body).toMatchObject({ enabled_clients: [a, b] });
    const listed = (await api(`/connections/${c.id}/clients`)).body as { clients: { client_id: string }[] };
    expect(listed.clients.map((x) => x.client_id).sort()).toEqual([a, b].sort());

    const set = await api(`/connections/${c.id}/clients`, { method: 'PATCH', body: [{ client_id: a, status: false }, { client_id: d, status: true }] });
    expect(set.status).toBe(204);
    expect(set.body).toBeUndefined();
    expect(((await api(`/connections/${c.id}`)).body as Json)['enabled_clients']).toEqual(expect.arrayContaining([b, d]));
    expect((await stored(c.id)).enabled_clients.sort()).toEqual([b, d].sort());

    const paged = (await api(`/connections/${c.id}/clients?take=1`)).body as { clients: { client_id: string }[]; next?: string };
    expect(paged.clients).toHaveLength(1);
    const rest = (await api(`/connections/${c.id}/clients?take=1&from=${paged.next!}`)).body as { clients: { client_id: string }[]; next?: string };
    expect([paged.clients[0]!.client_id, rest.clients[0]!.client_id]).toEqual([b, d].sort());
    expect(rest).not.toHaveProperty('next');

    await api(`/clients/${d}`, { method: 'DELETE' });
    expect((await stored(c.id)).enabled_clients).toEqual([b]);
  });

  test('PATCH /:id/clients errors: unknown client, duplicates, more than 50, wrong shape, unknown connection', async () => {
    const c = await create();
    const a = await newClient();
    const before = await stored(c.id);
    const items = (count: number) => Array.from({ length: count }, () => ({ client_id: a, status: true }));
    const cases: [unknown, RegExp][] = [
      [[{ client_id: 'ghost', status: true }], /client_id: no client has client_id "ghost"/],
      [[{ client_id: a, status: true }, { client_id: a, status: false }], /1\.client_id: .* appears more than once/],
      [items(51), /at most 50 items/],
      [[{ client_id: a, status: 'on' }], /0\.status: /],
      [[{ client_id: a, status: true, extra: 1 }], /Additional properties not allowed: extra/],
      [{ client_id: a, status: true }, /body: .*expected array/],
    ];
    for (const [body, expected] of cases) {
      const res = await api(`/connections/${c.id}/clients`, { method: 'PATCH', body });
      expect(res.status).toBe(400);
      expect(message(res)).toMatch(expected);
    }
    expect(await stored(c.id)).toEqual(before);
    expect((await api('/connections/con_nope/clients')).status).toBe(404);
    expect((await api('/connections/con_nope/clients', { method: 'PATCH', body: [{ client_id: a, status: true }] })).status).toBe(404);
    expect((await api(`/connections/${c.id}/clients?take=0`)).status).toBe(400);
  });
});

describe('delete', () => {
  test('removes the connection, its logins in progress and the users only it knows; 404 afterwards', async () => {
    const c = await create();
    const other = await create();
    const store = srv.server.store;
    const later = Date.now() + 60_000;
    await store.transactions.put({ id: 'tx-doomed', connection_id: c.id, payload: {}, expiresAt: later });
    await store.transactions.put({ id: 'tx-kept', connection_id: other.id, payload: {}, expiresAt: later });
    const login = (conn: string, id: string) => store.users.upsertLogin({
      user_id: `oauth2|${conn}|${id}`, identity: { provider: 'oauth2', connection: conn, user_id: `${conn}|${id}`, isSocial: true },
      root: { email: `${id}@example.com` }, extra: {}, setRootAttributes: 'on_each_login', now: new Date().toISOString(),
    });
    await login(c.name, 'u1');
    await login(other.name, 'u2');

    const res = await api(`/connections/${c.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect((await api(`/connections/${c.id}`)).status).toBe(404);
    expect((await api(`/connections/${c.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(await store.transactions.take('tx-doomed')).toBeNull();
    expect(await store.transactions.take('tx-kept')).not.toBeNull();
    expect(await store.users.get(`oauth2|${c.name}|u1`)).toBeNull();
    expect(await store.users.get(`oauth2|${other.name}|u2`)).not.toBeNull();
    // the name is free again
    expect((await post(connection({ name: c.name }))).status).toBe(201);
  });
});

describe('scopes', () => {
  test('each endpoint needs its scope: 403 otherwise, 401 without a token', async () => {
    const c = await create();
    const reader = await srv.tokenWith(['read:connections']);
    const writer = await srv.tokenWith(['create:connections', 'update:connections', 'delete:connections']);
    const calls: [string, string, unknown][] = [
      ['POST', '/connections', connection()],
      ['PATCH', `/connections/${c.id}`, { display_name: 'x' }],
      ['DELETE', `/connections/${c.id}`, undefined],
      ['PATCH', `/connections/${c.id}/clients`, []],
    ];
    for (const [method, path, body] of calls) {
      const res = await api(path, { method, body, token: reader });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, errorCode: 'insufficient_scope', message: expect.stringMatching(/Insufficient scope, expected any of: (create|update|delete):connections/) });
    }
    for (const path of ['/connections', `/connections/${c.id}`, `/connections/${c.id}/clients`]) {
      expect((await api(path, { token: writer })).status).toBe(403);
      expect((await api(path, { token: reader })).status).toBe(200);
    }
    expect((await api(`/connections/${c.id}`, { method: 'PATCH', body: { display_name: 'by writer' }, token: writer })).status).toBe(200);
    const unauth = await fetch(`${srv.issuer}api/v2/connections`);
    expect(unauth.status).toBe(401);
  });
});

describe('https only unless the development setting allows http', () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({ ALLOW_INSECURE_UPSTREAMS: 'false' });
  });
  afterAll(async () => {
    await strict.close();
  });

  test('http:// upstream URLs are refused with the setting named; https is accepted', async () => {
    const body = (opts: Json) => ({ name: 'strict', strategy: 'oauth2', options: options(opts) });
    for (const key of ['authorizationURL', 'tokenURL']) {
      const res = await strict.api('/connections', { method: 'POST', body: body({ [key]: 'http://127.0.0.1:9/x' }) });
      expect(res.status).toBe(400);
      expect(String((res.body as Json)['message'])).toMatch(new RegExp(`options\\.${key}: must use https .*ALLOW_INSECURE_UPSTREAMS`));
    }
    const icon = await strict.api('/connections', { method: 'POST', body: body({ icon_url: 'http://cdn.example/i.png' }) });
    expect(icon.status).toBe(400);
    expect((await strict.api('/connections', { method: 'POST', body: body({}) })).status).toBe(201);
  });

  test('with the setting on (this file\'s main server), http:// loopback upstreams are accepted', async () => {
    const res = await post(connection({}, { authorizationURL: 'http://127.0.0.1:9/authorize', tokenURL: 'http://localhost:9/token' }));
    expect(res.status).toBe(201);
  });
});

test('no secret appears in any response, nor in plaintext anywhere in the data directory', async () => {
  await create({}, { customHeaders: { 'X-Api-Key': HEADER_SECRET } });
  const all = seen.join('\n');
  expect(seen.length).toBeGreaterThan(50);
  for (const secret of [SECRET, HEADER_SECRET, 'rotated-secret-xyz', 'tenant-2']) {
    expect(all.includes(secret)).toBe(false);
  }
  await srv.server.store.purgeExpired();
  for (const file of await readdir(srv.dataDir)) {
    const bytes = await readFile(join(srv.dataDir, file));
    for (const secret of [SECRET, HEADER_SECRET, 'rotated-secret-xyz', 'tenant-2']) {
      expect({ file, secret, found: bytes.includes(Buffer.from(secret)) }).toEqual({ file, secret, found: false });
    }
  }
});

