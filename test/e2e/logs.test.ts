import { randomBytes } from 'node:crypto';
import { LogEventSchema, type LogEvent } from '../../src/logs/types.ts';
import { newLogId } from '../../src/logs/writer.ts';
import { findEvent as findLogEvent } from '../support/log-events.ts';
import { ADMIN_SECRET, clientCredentialsToken, startTestServer, type TestServer } from '../support/server.ts';

/**
 * Tenant logs over HTTP: Management API writes become sapi/fapi events that name the fields
 * they set and never their values, deleting a user writes du, and GET /api/v2/logs pages and
 * searches them as Auth0 does.
 */

let srv: TestServer;
type Json = Record<string, unknown>;
/** Every secret this suite hands to the server; none may appear in any log event. */
const secrets: string[] = [ADMIN_SECRET];

beforeAll(async () => {
  srv = await startTestServer();
  secrets.push(srv.config.secretsKey.toString('base64'), await srv.adminToken());
});
afterAll(async () => {
  await srv.close();
});

async function tokenWith(scopes: string[]): Promise<string> {
  const res = await srv.api('/clients', { method: 'POST', body: { name: `m2m ${scopes.join(' ')}`, app_type: 'non_interactive' } });
  const c = res.body as { client_id: string; client_secret: string };
  secrets.push(c.client_secret);
  await srv.api('/client-grants', { method: 'POST', body: { client_id: c.client_id, audience: `${srv.issuer}api/v2/`, scope: scopes } });
  const token = await clientCredentialsToken(srv.issuer, c.client_id, c.client_secret, `${srv.issuer}api/v2/`);
  secrets.push(token);
  return token;
}

const findEvent = (q: string, match?: (e: LogEvent) => boolean): Promise<LogEvent> => findLogEvent(srv, q, match);

const connectionBody = (name: string, secret: string, script: string): Json => ({
  name, strategy: 'oauth2',
  options: {
    authorizationURL: 'https://provider.example/authorize', tokenURL: 'https://provider.example/token', client_id: 'up', client_secret: secret,
    scope: ['openid'], scripts: { fetchUserProfile: script },
  },
});

test('a Management write is a sapi event with method, path, status and the field NAMES; no value reaches any event', async () => {
  const secret = `upstream-secret-${randomBytes(8).toString('hex')}`;
  const script = `function (accessToken, ctx, cb) { cb(null, { user_id: "${randomBytes(6).toString('hex')}" }); }`;
  const rotated = `rotated-secret-${randomBytes(8).toString('hex')}`;
  secrets.push(secret, rotated, script);
  const created = await srv.api('/connections', { method: 'POST', body: connectionBody('audited', secret, script) });
  expect(created.status).toBe(201);
  const id = String((created.body as Json)['id']);
  expect((await srv.api(`/connections/${id}`, { method: 'PATCH', body: { options: { ...(connectionBody('x', rotated, script)['options'] as Json) } } })).status).toBe(200);

  const create = await findEvent('type:sapi', (e) => e.description === 'Create a connection');
  expect(create).toMatchObject({
    type: 'sapi', client_id: 'test-admin-client', ip: expect.stringMatching(/127\.0\.0\.1/),
    details: {
      request: { method: 'POST', path: '/api/v2/connections', channel: 'api',
        body_fields: ['name', 'strategy', 'options.authorizationURL', 'options.tokenURL', 'options.client_id', 'options.client_secret', 'options.scope', 'options.scripts.fetchUserProfile'] },
      response: { statusCode: 201 },
    },
  });
  const update = await findEvent('type:sapi', (e) => e.description === 'Update a connection');
  expect(update.details).toMatchObject({ request: { method: 'PATCH', path: `/api/v2/connections/${id}` }, response: { statusCode: 200 } });
  expect((update.details?.['request'] as Json)['body_fields']).toContain('options.client_secret');
  // GET /logs/:id answers the same event.
  expect((await srv.api(`/logs/${create.log_id}`)).body).toEqual(create);
});

test('a refused write is a fapi event with the status and error code, never the message or body', async () => {
  const secret = `refused-secret-${randomBytes(8).toString('hex')}`;
  secrets.push(secret);
  const res = await srv.api('/connections', { method: 'POST', body: { name: 'bad name!', strategy: 'oauth2', options: { client_secret: secret } } });
  expect(res.status).toBe(400);
  const failed = await findEvent('type:fapi', (e) => (e.details?.['request'] as Json)['path'] === '/api/v2/connections');
  expect(failed).toMatchObject({
    description: 'Create a connection',
    details: { request: { method: 'POST', body_fields: ['name', 'strategy', 'options.client_secret'] }, response: { statusCode: 400, error_code: 'invalid_body' } },
  });
});

test('deleting a user writes du; /users/:id/logs lists it (read:logs and read:users)', async () => {
  const userId = 'oauth2|logged|7';
  await srv.server.store.users.upsertLogin({
    user_id: userId, identity: { provider: 'oauth2', connection: 'logged', user_id: '7', isSocial: true },
    root: { email: 'gone@example.com' }, extra: {}, setRootAttributes: 'on_each_login', now: new Date().toISOString(),
  });
  expect((await srv.api(`/users/${encodeURIComponent(userId)}`, { method: 'DELETE' })).status).toBe(204);
  const du = await findEvent(`type:du AND user_id:"${userId}"`, () => true);
  expect(du).toMatchObject({ type: 'du', description: 'Deleted user', user_id: userId, user_name: 'gone@example.com', connection: 'logged', client_id: 'test-admin-client' });
  const mine = await srv.api(`/users/${encodeURIComponent(userId)}/logs?include_totals=true`);
  expect(mine.status).toBe(200);
  expect(mine.body).toMatchObject({ start: 0, limit: 50, length: 1, total: 1, logs: [du] });
  const onlyLogs = await tokenWith(['read:logs']);
  expect((await srv.api(`/users/${encodeURIComponent(userId)}/logs`, { token: onlyLogs })).status).toBe(403);
  expect((await srv.api('/logs', { token: onlyLogs })).status).toBe(200);
});

test('deleting a connection deletes the users only it knows, each with a du event that says why', async () => {
  const created = await srv.api('/connections', { method: 'POST', body: connectionBody('doomed', 'doomed-secret-value', 'function (a, c, cb) { cb(null, { user_id: "1" }); }') });
  secrets.push('doomed-secret-value');
  const id = String((created.body as Json)['id']);
  await srv.server.store.users.upsertLogin({
    user_id: 'oauth2|doomed|1', identity: { provider: 'oauth2', connection: 'doomed', user_id: '1', isSocial: true },
    root: {}, extra: {}, setRootAttributes: 'on_each_login', now: new Date().toISOString(),
  });
  expect((await srv.api(`/connections/${id}`, { method: 'DELETE' })).status).toBe(204);
  const du = await findEvent('type:du AND connection:doomed', () => true);
  expect(du).toMatchObject({ user_id: 'oauth2|doomed|1', description: 'Deleted user (its connection doomed was deleted)' });
});

test('without read:logs: 403 on every logs route; without a token: 401', async () => {
  const reader = await tokenWith(['read:users', 'read:clients']);
  for (const path of ['/logs', '/logs/90123', `/users/${encodeURIComponent('oauth2|a|1')}/logs`]) {
    const res = await srv.api(path, { token: reader });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ errorCode: 'insufficient_scope', message: expect.stringContaining('read:logs') });
  }
  expect((await fetch(`${srv.url}/api/v2/logs`)).status).toBe(401);
});

describe('paging and search', () => {
  const user = `oauth2|pager|${randomBytes(4).toString('hex')}`;
  const events: LogEvent[] = [];
  beforeAll(async () => {
    const t0 = Date.parse('2026-03-01T00:00:00.000Z');
    for (let i = 0; i < 25; i++) {
      const ms = t0 + i * 3_600_000;
      events.push({ log_id: newLogId(ms), date: new Date(ms).toISOString(), type: i % 5 === 0 ? 'f' : 's', user_id: user, client_id: `app${i % 2}`, connection: 'pager' });
    }
    await srv.server.store.logs.insertMany(events);
  });
  const ids = (body: unknown): string[] => (body as LogEvent[]).map((e) => e.log_id);
  const q = (s: string) => `q=${encodeURIComponent(s)}`;

  test('page/per_page/include_totals, newest first by default, sort=date:1, fields', async () => {
    const newest = [...events].reverse().map((e) => e.log_id);
    const page1 = await srv.api(`/logs?${q('connection:pager')}&page=1&per_page=10&include_totals=true`);
    expect(page1.body).toMatchObject({ start: 10, limit: 10, length: 10, total: 25 });
    expect(ids((page1.body as Json)['logs'])).toEqual(newest.slice(10, 20));
    expect(ids((await srv.api(`/logs?${q('connection:pager')}&per_page=3&sort=date:1`)).body)).toEqual(events.slice(0, 3).map((e) => e.log_id));
    const slim = await srv.api(`/logs?${q('connection:pager')}&per_page=1&fields=log_id,type&include_fields=true`);
    expect(slim.body).toEqual([{ log_id: newest[0], type: 's' }]);
  });

  test('q: types, client_id, user_id, date ranges joined by AND', async () => {
    const list = async (search: string) => ids((await srv.api(`/logs?${q(search)}&per_page=100&sort=date:1`)).body);
    expect(await list(`type:f AND user_id:"${user}"`)).toEqual(events.filter((e) => e.type === 'f').map((e) => e.log_id));
    expect(await list(`client_id:app1 AND connection:pager`)).toEqual(events.filter((e) => e.client_id === 'app1').map((e) => e.log_id));
    // Inclusive day range: 2026-03-01 holds events 0..23 (one per hour), 2026-03-02 only event 24.
    expect(await list(`connection:pager AND date:[2026-03-01 TO 2026-03-01]`)).toEqual(events.slice(0, 24).map((e) => e.log_id));
    expect(await list(`connection:pager AND date:[2026-03-01T05:00:00Z TO 2026-03-01T07:00:00Z]`)).toEqual(events.slice(5, 8).map((e) => e.log_id));
    expect(await list(`connection:pager AND date:[2026-03-02 TO *]`)).toEqual([events[24]?.log_id]);
  });

  test('checkpoint paging: from/take, oldest first, a bare array and a Link rel=next that continues', async () => {
    const first = events[0]?.log_id ?? '';
    const seen: string[] = [];
    let url = `${srv.url}/api/v2/logs?from=${first}&take=10&${q('connection:pager')}`;
    for (let round = 0; round < 4; round++) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${await srv.adminToken()}` } });
      expect(res.status).toBe(200);
      const page = ids(await res.json());
      seen.push(...page);
      const link = /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '');
      expect(link?.[1]).toMatch(new RegExp(`^${srv.issuer}api/v2/logs\\?`));
      url = link?.[1] ?? '';
      if (page.length === 0) expect(url).toContain(`from=${seen.at(-1) ?? ''}`);
    }
    expect(seen).toEqual(events.slice(1).map((e) => e.log_id));
  });

  test('bad queries are 400s that say what to do', async () => {
    const bad = async (query: string, pattern: RegExp) => {
      const res = await srv.api(`/logs?${query}`);
      expect(res.status).toBe(400);
      expect(String((res.body as Json)['message'])).toMatch(pattern);
    };
    await bad(q('description:x'), /unsupported field "description".*supports type:, user_id:, client_id:, connection:.*date:\[/);
    await bad(q('type:zz'), /unknown log type "zz"/);
    await bad('sort=name:1', /sort: expected date:1 .* or date:-1/);
    await bad('page=10&per_page=100', /first 1000 events only.*use from=<log_id>&take=<n>/);
    await bad('per_page=101', /per_page: must be at most 100/);
    const missing = await srv.api('/logs/90000000000000000000000nothing');
    expect(missing).toMatchObject({ status: 404, body: { errorCode: 'inexistent_log' } });
  });
});

test('no secret of this suite appears in any stored log event', async () => {
  await srv.api('/clients', { method: 'POST', body: { name: 'late', app_type: 'non_interactive' } });
  await findEvent('type:sapi', (e) => e.description === 'Create a client');
  const { items } = await srv.server.store.logs.list({}, { order: 'asc', limit: 100_000 });
  expect(items.length).toBeGreaterThan(5);
  // Every event the server wrote has the documented shape.
  for (const e of items) expect(LogEventSchema.safeParse(e).error).toBeUndefined();
  const json = JSON.stringify(items);
  for (const s of secrets) expect(json).not.toContain(s);
});
