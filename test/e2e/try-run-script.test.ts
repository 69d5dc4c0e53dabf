import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createConnection } from '../support/connections.ts';
import { ADMIN_ID, ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.ts';
import { consoleAgent, signIn, type ConsoleAgent } from './console-support.ts';
import { startUpstream, type Upstream } from '../sandbox/helpers.ts';
import { textOf } from './try-support.ts';

const TOKEN = 'pasted-access-token-0123456789';
const REFRESH = 'pasted-refresh-token-abcdefgh';
let srv: TestServer;
let api: Upstream;
let connectionId: string;
let admin: ConsoleAgent;

const saved = (base: string) => `function(accessToken, ctx, cb) {
  request.get({ url: '${base}/userinfo?who=' + accessToken, headers: { Authorization: 'Bearer ' + accessToken } }, function(err, resp, body) {
    if (err) return cb(err);
    var a = JSON.parse(body).account;
    console.log('saved script got', a.uuid, 'refresh', ctx.refresh_token);
    cb(null, { user_id: a.uuid, email: a.email, name: a.name.first_name + ' <b>' });
  });
}`;

beforeAll(async () => {
  srv = await startTestServer({ SCRIPT_TIMEOUT_MS: '2000' });
  api = await startUpstream();
  ({ id: connectionId } = await createConnection(srv, 'scripted', {
    authorizationURL: `${api.base}/authorize`, tokenURL: `${api.base}/token`, client_id: 'c', client_secret: 'connection-secret-xyz',
    scripts: { fetchUserProfile: saved(api.base) },
  }));
  admin = consoleAgent(srv);
  await signIn(admin, ADMIN_ID, ADMIN_SECRET);
});
afterAll(async () => {
  await api.close();
  await srv.close();
});

/** Posts the Run script form as a signed-in console page would: its session cookie, Origin and CSRF token. */
async function post(form: Record<string, string>, agent = admin): Promise<{ status: number; html: string }> {
  return agent.post(`connections/${connectionId}/run-script`, { ...form, _csrf: agent.csrf });
}

describe('Run script', () => {
  test('the page shows the saved script in a labelled editor', async () => {
    const { status, html } = await admin.get(`connections/${connectionId}/run-script`);
    expect(status).toBe(200);
    expect(html).toContain('<label for="script">Fetch User Profile Script</label>');
    expect(html).toContain('<label for="access_token">Access token</label>');
    expect(textOf(html)).toContain(`request.get({ url: '${api.base}/userinfo?who=' + accessToken`);
  });

  test('runs the saved script with a pasted token and token response: profile, console, requests; nothing leaks or is stored', async () => {
    const { status, html } = await post({ script: '', access_token: TOKEN, token_response: JSON.stringify({ access_token: TOKEN, refresh_token: REFRESH, token_type: 'Bearer' }) });
    expect(status).toBe(200);
    const text = textOf(html);
    expect(text).toContain('The script returned a valid profile.');
    expect(text).toContain('"user_id": "uuid-••••••"');
    expect(html).toContain('Ada &lt;b&gt;'); // the profile is shown as text, never as markup
    expect(text).toMatch(new RegExp(`GET ${api.base}/userinfo\\?who=… 200 · [\\d.]+ ms`));
    expect(text).toContain('[log] saved script got uuid-[access token] refresh ••••••');
    expect(html).not.toContain(TOKEN);
    expect(html).not.toContain(REFRESH);
    expect(api.seen.at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect((await srv.api('/users')).body).toEqual([]);
  });

  test('an edited script that fails shows the error with its line and the output before it', async () => {
    const script = 'function(accessToken, ctx, cb) {\n  console.error("ctx has", Object.keys(ctx).length, "keys");\n  throw new Error("no profile for you");\n}';
    const { status, html } = await post({ script, access_token: TOKEN, token_response: '{"scope":"a b"}' });
    expect(status).toBe(200);
    const text = textOf(html);
    expect(text).toContain('thrown : no profile for you (line 3)');
    expect(text).toContain('[error] ctx has 1 keys');
    expect(text).toContain('Requests the script made None.');
  });

  test('a profile that fails validation is shown with what is wrong', async () => {
    const { html } = await post({ script: 'async function(accessToken) { return { user_id: "x", email_verified: "yes" }; }', access_token: TOKEN });
    expect(textOf(html)).toMatch(/invalid_result : fetchUserProfile returned the profile is invalid: .*email_verified/);
  });

  test('bad input gets a message that says what to fix', async () => {
    const bad = await post({ access_token: TOKEN, token_response: '{not json' });
    expect(bad.status).toBe(400);
    expect(textOf(bad.html)).toContain('Token response is not valid JSON');
    const array = await post({ access_token: TOKEN, token_response: '[1]' });
    expect(array.status).toBe(400);
    expect(textOf(array.html)).toContain('Token response must be a JSON object');
    const none = await post({});
    expect(none.status).toBe(400);
    expect(textOf(none.html)).toContain('Paste an access token');
  });

  test('needs update:connections (it runs admin code)', async () => {
    const c = await srv.clientWith(['read:connections']);
    const readOnly = consoleAgent(srv);
    await signIn(readOnly, c.client_id, c.client_secret);
    expect((await post({ access_token: TOKEN }, readOnly)).status).toBe(403);
  });
});

describe('Run script is a console form: a cross-site post runs nothing', () => {
  const runs = () => api.seen.filter((r) => r.url.startsWith('/userinfo')).length;

  test('another site\'s form (its Origin, even with the session cookie and a valid token) is refused before the script runs', async () => {
    const before = runs();
    const res = await post({ script: '', access_token: TOKEN }, { ...admin, post: (path, fields) => admin.post(path, fields, { origin: 'http://127.0.0.2:9' }) });
    expect(res.status).toBe(403);
    expect(textOf(res.html)).toContain('This request came from http://127.0.0.2:9');
    expect(res.html).not.toContain('The script returned');
    expect(runs()).toBe(before);
  });

  test('a post without the session\'s CSRF token (Origin stripped by a proxy) is refused; without the cookie it is a signed-out 401', async () => {
    const before = runs();
    const noOrigin = await fetch(`${srv.url}/admin/connections/${connectionId}/run-script`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie ?? '' },
      body: new URLSearchParams({ script: '', access_token: TOKEN }),
    });
    expect(noOrigin.status).toBe(403);
    expect(textOf(await noOrigin.text())).toContain('security token is missing or out of date');
    const wrongToken = await admin.post(`connections/${connectionId}/run-script`, { script: '', access_token: TOKEN, _csrf: 'x'.repeat(43) });
    expect(wrongToken.status).toBe(403);
    // What a SameSite=Lax browser sends on a cross-site POST: no cookie at all.
    const cookieless = await fetch(`${srv.url}/admin/connections/${connectionId}/run-script`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://127.0.0.2:9' },
      body: new URLSearchParams({ script: '', access_token: TOKEN, _csrf: admin.csrf }),
    });
    expect(cookieless.status).toBe(401);
    expect(runs()).toBe(before);
    // The same form from the console's own page does run (so the refusals above are the checks, not a broken route).
    expect(textOf((await post({ script: '', access_token: TOKEN })).html)).toContain('The script returned a valid profile.');
    expect(runs()).toBe(before + 1);
  });
});
