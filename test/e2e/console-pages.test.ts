import { newLogId } from '../../src/logs/writer.ts';
import { createConnection, userinfoScript } from '../support/connections.ts';
import { ADMIN_ID, ADMIN_SECRET, freePort, startTestServer, type TestServer } from '../support/server.ts';
import { consoleAgent, signIn } from './console-support.ts';

/** Console pages over HTTP: what the browser test does not reach (https cookies, the last login column, scopes per page). */

const OPTIONS = { authorizationURL: 'http://127.0.0.1:9/authorize', tokenURL: 'http://127.0.0.1:9/token', client_id: 'up', client_secret: 'up-secret',
  scripts: { fetchUserProfile: userinfoScript('http://127.0.0.1:9/userinfo') } };

describe('with an https issuer (behind a TLS-terminating proxy)', () => {
  let srv: TestServer;
  beforeAll(async () => {
    const port = String(await freePort());
    srv = await startTestServer({ PORT: port, ISSUER: `https://127.0.0.1:${port}/` });
  });
  afterAll(async () => {
    await srv.close();
  });

  test('the session cookie is Secure', async () => {
    const res = await fetch(`${srv.url}/admin/sign-in`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(srv.issuer).origin },
      body: new URLSearchParams({ client_id: ADMIN_ID, client_secret: ADMIN_SECRET }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
  });
});

describe('console pages', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer();
    await createConnection(srv, 'acme', { ...OPTIONS, unique_callback: true }, { display_name: 'Acme' });
    await createConnection(srv, 'globex', OPTIONS);
  });
  afterAll(async () => {
    await srv.close();
  });

  test('the list shows each connection\'s last login result from the tenant logs', async () => {
    const now = Date.now();
    const date = new Date(now).toISOString();
    // Login events (s/f) come from the login engine; written here directly, as that producer would.
    await srv.server.store.logs.insertMany([
      { log_id: newLogId(now - 1000), date: new Date(now - 1000).toISOString(), type: 's', connection: 'acme', description: 'Success Login' },
      { log_id: newLogId(now), date, type: 'f', connection: 'acme', description: 'Failed Login' },
      { log_id: newLogId(now), date, type: 's', connection: 'globex', description: 'Success Login' },
    ]);
    const agent = consoleAgent(srv);
    await signIn(agent, ADMIN_ID, ADMIN_SECRET);
    const { html } = await agent.get('connections');
    const row = (name: string) => html.slice(html.indexOf(`>${name}</a>`), html.indexOf('</tr>', html.indexOf(`>${name}</a>`)));
    expect(row('acme')).toContain('Failed');
    expect(row('globex')).toContain('Success');
  });

  test('a unique_callback connection shows its own callback URL', async () => {
    const agent = consoleAgent(srv);
    await signIn(agent, ADMIN_ID, ADMIN_SECRET);
    const { body } = await srv.api('/connections?name=acme');
    const id = (body as { id: string }[])[0]?.id ?? '';
    const page = await agent.get(`connections/${id}`);
    expect(page.html).toContain(`value="${srv.issuer}login/callback/acme"`);
  });

  test('pages need the read scope of what they show (the API\'s 403)', async () => {
    const c = await srv.clientWith(['read:connections']);
    const agent = consoleAgent(srv);
    await signIn(agent, c.client_id, c.client_secret);
    expect((await agent.get('connections')).status).toBe(200);
    const logs = await agent.get('logs');
    expect(logs.status).toBe(403);
    expect(logs.html).toContain('Insufficient scope, expected any of: read:logs');
    expect((await agent.get('users/nobody')).status).toBe(403);
    // Links to pages it cannot read are not shown.
    expect((await agent.get('connections')).html).not.toContain('>Logs</a>');
  });

  test('a bad log filter is a 400 naming the field, and the console stays up', async () => {
    const agent = consoleAgent(srv);
    await signIn(agent, ADMIN_ID, ADMIN_SECRET);
    const res = await agent.get('logs?type=nope');
    expect(res.status).toBe(400);
    expect(res.html).toContain('type');
    expect((await agent.get('logs?type=sapi')).status).toBe(200);
  });

  test('a user is deleted through the users service: gone from the API, a du event names the console\'s client', async () => {
    const now = new Date().toISOString();
    // A user as a login through acme would have written it (the login engine is covered by the browser test).
    await srv.server.store.users.upsertLogin({
      user_id: 'oauth2|acme|77', identity: { provider: 'oauth2', connection: 'acme', user_id: '77', isSocial: true },
      root: { email: 'grace@example.com', name: 'Grace' }, extra: {}, setRootAttributes: 'on_each_login', now,
    });
    const agent = consoleAgent(srv);
    await signIn(agent, ADMIN_ID, ADMIN_SECRET);
    const page = await agent.get(`users/${encodeURIComponent('oauth2|acme|77')}`);
    expect(page.html).toContain('grace@example.com');
    const res = await agent.post(`users/${encodeURIComponent('oauth2|acme|77')}/delete`, { _csrf: agent.csrf });
    expect(res.status).toBe(303);
    expect((await srv.api(`/users/${encodeURIComponent('oauth2|acme|77')}`)).status).toBe(404);
    for (const deadline = Date.now() + 15_000; ;) {
      const events = (await srv.api('/logs?q=type:du')).body as { user_id?: string; client_id?: string }[];
      const du = events.find((e) => e.user_id === 'oauth2|acme|77');
      if (du) {
        expect(du.client_id).toBe(ADMIN_ID);
        break;
      }
      if (Date.now() > deadline) throw new Error('no du event');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  test('a form over the size limit is a 413 that says so, and changes nothing', async () => {
    const agent = consoleAgent(srv);
    await signIn(agent, ADMIN_ID, ADMIN_SECRET);
    const res = await agent.post('connections', { _csrf: agent.csrf, name: 'huge', fetchUserProfile: 'x'.repeat(600_000) });
    expect(res.status).toBe(413);
    expect(res.html).toContain('larger than the console accepts');
    expect((await srv.api('/connections?name=huge')).body).toEqual([]);
  });

  test('a missing console file is a 404, not an error', async () => {
    const res = await fetch(`${srv.issuer}admin/assets/nope.js`);
    expect(res.status).toBe(404);
    const css = await fetch(`${srv.issuer}admin/assets/console.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
  });
});
