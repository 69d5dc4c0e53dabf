import { createHash } from 'node:crypto';
import type { LogEvent } from '../../src/logs/types.ts';
import { createConnection, userinfoScript } from '../support/connections.ts';
import { ADMIN_ID, ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.ts';
import { consoleAgent, consoleUrl, signIn } from './console-support.ts';

/**
 * The console's sign-in, session and CSRF rules over plain HTTP: a Management API client's
 * credentials start a server-side session, a cross-site or token-less post changes nothing,
 * a read-only client gets a read-only console the server enforces, and every sign-in is logged.
 */

let srv: TestServer;
let connectionId: string;
const OPTIONS = { authorizationURL: 'http://127.0.0.1:9/authorize', tokenURL: 'http://127.0.0.1:9/token', client_id: 'up', client_secret: 'up-secret',
  scripts: { fetchUserProfile: userinfoScript('http://127.0.0.1:9/userinfo') } };

beforeAll(async () => {
  srv = await startTestServer();
  connectionId = (await createConnection(srv, 'acme', OPTIONS, { display_name: 'Acme' })).id;
});
afterAll(async () => {
  await srv.close();
});

async function displayName(): Promise<string | undefined> {
  const res = await srv.api(`/connections/${connectionId}`);
  return (res.body as { display_name?: string }).display_name;
}

/** Polls the tenant logs for an event (the writer flushes off the request path). */
async function findEvent(match: (e: LogEvent) => boolean): Promise<LogEvent> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    const res = await srv.api('/logs?per_page=100');
    const found = (res.body as LogEvent[]).find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('event not found');
}

test('a page without a session redirects to the sign-in form, which labels Client ID and Client Secret', async () => {
  const agent = consoleAgent(srv);
  const res = await agent.get('connections');
  expect(res.status).toBe(303);
  expect(res.location).toBe('/admin/sign-in');
  const form = await agent.get('sign-in');
  expect(form.status).toBe(200);
  expect(form.html).toMatch(/<label for="client_id">Client ID<\/label>/);
  expect(form.html).toMatch(/<label for="client_secret">Client Secret<\/label>/);
});

test('sign-in sets an HttpOnly SameSite cookie holding only a random id; the store keeps the session under its hash', async () => {
  const res = await fetch(consoleUrl(srv, 'sign-in'), {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(srv.issuer).origin },
    body: new URLSearchParams({ client_id: ADMIN_ID, client_secret: ADMIN_SECRET }).toString(),
  });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/^brokerid_console=[A-Za-z0-9_-]{43};/);
  expect(cookie).toMatch(/HttpOnly/i);
  expect(cookie).toMatch(/SameSite=Lax/i);
  expect(cookie).toMatch(/Path=\/admin\//);
  // http issuer in tests: no Secure flag (a browser would drop the cookie); an https issuer sets it (session.ts).
  expect(cookie).not.toMatch(/Secure/i);
  expect(cookie).not.toContain(ADMIN_SECRET);
  const sid = /^brokerid_console=([^;]+)/.exec(cookie)?.[1] ?? '';
  expect(await srv.server.store.oidc.find('ConsoleSession', sid)).toBeNull();
  const stored = await srv.server.store.oidc.find('ConsoleSession', createHash('sha256').update(sid).digest('base64url'));
  expect(stored?.payload).toMatchObject({ clientId: ADMIN_ID });
  expect(JSON.stringify(stored?.payload)).not.toContain(sid);
});

test('wrong credentials are refused with one sentence, and both outcomes are logged as client authentication', async () => {
  const agent = consoleAgent(srv);
  const res = await agent.post('sign-in', { client_id: ADMIN_ID, client_secret: 'wrong-secret-0123456789' });
  expect(res.status).toBe(401);
  expect(res.html).toContain('Wrong Client ID or Client Secret');
  expect(agent.cookie).toBeUndefined();
  const unknown = await agent.post('sign-in', { client_id: 'nobody', client_secret: 'x' });
  expect(unknown.status).toBe(401);
  const failed = await findEvent((e) => e.type === 'feccft' && e.client_id === ADMIN_ID);
  expect(failed.details).toMatchObject({ channel: 'console', reason: 'wrong_secret' });
  expect(JSON.stringify(failed)).not.toContain('wrong-secret-0123456789');
  await signIn(agent, ADMIN_ID, ADMIN_SECRET);
  const ok = await findEvent((e) => e.type === 'seccft' && e.client_id === ADMIN_ID && e.description === 'Console sign-in');
  expect(ok.details).toMatchObject({ channel: 'console' });
});

test('a client without a Management API grant cannot sign in', async () => {
  const res = await srv.api('/clients', { method: 'POST', body: { name: 'no grant', app_type: 'non_interactive' } });
  const c = res.body as { client_id: string; client_secret: string };
  const agent = consoleAgent(srv);
  const page = await agent.post('sign-in', { client_id: c.client_id, client_secret: c.client_secret });
  expect(page.status).toBe(401);
  expect(page.html).toContain('no grant for the Management API');
});

test('a cross-site form post changes nothing, with or without the CSRF token', async () => {
  const agent = consoleAgent(srv);
  await signIn(agent, ADMIN_ID, ADMIN_SECRET);
  const edit = await agent.get(`connections/${connectionId}`);
  expect(edit.status).toBe(200);
  const fields = { _csrf: agent.csrf, display_name: 'Hacked', authorizationURL: OPTIONS.authorizationURL, tokenURL: OPTIONS.tokenURL, client_id: 'up', fetchUserProfile: OPTIONS.scripts.fetchUserProfile };
  const crossSite = await agent.post(`connections/${connectionId}`, fields, { origin: 'http://evil.example' });
  expect(crossSite.status).toBe(403);
  expect(crossSite.html).toContain('nothing was changed');
  const fetchSite = await agent.post(`connections/${connectionId}`, fields, { origin: '', 'sec-fetch-site': 'cross-site' });
  expect(fetchSite.status).toBe(403);
  const noToken = await agent.post(`connections/${connectionId}`, { ...fields, _csrf: '' });
  expect(noToken.status).toBe(403);
  const otherToken = await agent.post(`connections/${connectionId}`, { ...fields, _csrf: 'A'.repeat(43) });
  expect(otherToken.status).toBe(403);
  expect(await displayName()).toBe('Acme');
  // The same post from the console itself goes through: the refusals above were the CSRF checks.
  const same = await agent.post(`connections/${connectionId}`, { ...fields, display_name: 'Acme Corp' });
  expect(same.status).toBe(303);
  expect(await displayName()).toBe('Acme Corp');
  // Audited as the API's PATCH: the field names, never their values.
  const event = await findEvent((e) => e.type === 'sapi' && (e.details?.['request'] as { channel?: string }).channel === 'console');
  expect(event).toMatchObject({ client_id: ADMIN_ID, description: 'Update a connection',
    details: { request: { method: 'PATCH', path: `/api/v2/connections/${connectionId}` }, response: { statusCode: 200 } } });
  expect((event.details?.['request'] as { body_fields: string[] }).body_fields).toEqual(expect.arrayContaining(['display_name', 'options.tokenURL', 'options.scripts.fetchUserProfile']));
  expect(JSON.stringify(event)).not.toContain('Acme Corp');
});

test('a cross-site sign-in post is refused (no login CSRF)', async () => {
  const agent = consoleAgent(srv);
  const res = await agent.post('sign-in', { client_id: ADMIN_ID, client_secret: ADMIN_SECRET }, { origin: 'http://evil.example' });
  expect(res.status).toBe(403);
  expect(agent.cookie).toBeUndefined();
});

test('a read-only client gets a read-only console: no write buttons, and the server refuses writes', async () => {
  const c = await srv.clientWith(['read:connections', 'read:clients', 'read:users', 'read:logs']);
  const agent = consoleAgent(srv);
  await signIn(agent, c.client_id, c.client_secret);
  const list = await agent.get('connections');
  expect(list.html).toContain('acme');
  expect(list.html).toContain('(read-only)');
  expect(list.html).not.toContain('Create connection');
  const edit = await agent.get(`connections/${connectionId}`);
  expect(edit.html).not.toMatch(/<button class="btn primary" type="submit">Save/);
  expect(edit.html).not.toContain('Delete connection');
  const fields = { _csrf: agent.csrf, display_name: 'Read-only wrote this', authorizationURL: OPTIONS.authorizationURL, tokenURL: OPTIONS.tokenURL, client_id: 'up', fetchUserProfile: 'x' };
  const write = await agent.post(`connections/${connectionId}`, fields);
  expect(write.status).toBe(403);
  expect(write.html).toContain('Insufficient scope, expected any of: update:connections');
  const del = await agent.post(`connections/${connectionId}/delete`, { _csrf: agent.csrf });
  expect(del.status).toBe(403);
  const created = await agent.post('connections', { ...fields, name: 'sneaky' });
  expect(created.status).toBe(403);
  expect((await srv.api(`/connections/${connectionId}`)).status).toBe(200);
  expect(await displayName()).not.toBe('Read-only wrote this');
  for (const method of ['PATCH', 'DELETE', 'POST']) {
    const refused = await findEvent((e) => e.type === 'fapi' && e.client_id === c.client_id && (e.details?.['request'] as { method?: string }).method === method);
    expect(refused.details).toMatchObject({ request: { channel: 'console' }, response: { statusCode: 403, error_code: 'insufficient_scope' } });
  }
});

test('a narrowed grant takes effect at the next request; a revoked one ends the session', async () => {
  const c = await srv.clientWith(['read:connections', 'update:connections']);
  const agent = consoleAgent(srv);
  await signIn(agent, c.client_id, c.client_secret);
  expect((await agent.get(`connections/${connectionId}`)).html).toMatch(/type="submit">Save/);
  const grants = (await srv.api(`/client-grants?client_id=${c.client_id}`)).body as { id: string }[];
  const grantId = grants[0]?.id ?? '';
  expect((await srv.api(`/client-grants/${grantId}`, { method: 'PATCH', body: { scope: ['read:connections'] } })).status).toBe(200);
  const page = await agent.get(`connections/${connectionId}`);
  expect(page.status).toBe(200);
  expect(page.html).not.toMatch(/type="submit">Save/);
  expect((await agent.post(`connections/${connectionId}/apps`, { _csrf: agent.csrf, client_id: ADMIN_ID, status: 'true' })).status).toBe(403);
  expect((await srv.api(`/client-grants/${grantId}`, { method: 'DELETE' })).status).toBe(204);
  expect((await agent.get('connections')).status).toBe(303);
});

test('sign-out ends the session on the server: the old cookie no longer works', async () => {
  const agent = consoleAgent(srv);
  await signIn(agent, ADMIN_ID, ADMIN_SECRET);
  const oldCookie = agent.cookie;
  const out = await agent.post('sign-out', { _csrf: agent.csrf });
  expect(out.status).toBe(303);
  agent.cookie = oldCookie;
  expect((await agent.get('connections')).status).toBe(303);
});

test('idle and absolute timeouts end a session', async () => {
  const agent = consoleAgent(srv);
  await signIn(agent, ADMIN_ID, ADMIN_SECRET);
  const idle = srv.config.CONSOLE_IDLE_TIMEOUT * 1000;
  const realNow = Date.now;
  const start = realNow();
  try {
    // Active just under the idle limit, twice: the session lives on past one idle period.
    Date.now = () => start + idle - 1000;
    expect((await agent.get('connections')).status).toBe(200);
    Date.now = () => start + 2 * idle - 2000;
    expect((await agent.get('connections')).status).toBe(200);
    // Then silent for longer than the idle limit.
    Date.now = () => start + 3 * idle;
    expect((await agent.get('connections')).status).toBe(303);

    const again = consoleAgent(srv);
    Date.now = realNow;
    await signIn(again, ADMIN_ID, ADMIN_SECRET);
    const signedInAt = realNow();
    // Kept active every few minutes, it still ends at the absolute limit.
    for (let t = 0; t < srv.config.CONSOLE_ABSOLUTE_TIMEOUT * 1000; t += idle / 2) {
      Date.now = () => signedInAt + t;
      expect((await again.get('connections')).status).toBe(200);
    }
    Date.now = () => signedInAt + srv.config.CONSOLE_ABSOLUTE_TIMEOUT * 1000 + 1000;
    expect((await again.get('connections')).status).toBe(303);
  } finally {
    Date.now = realNow;
  }
});
