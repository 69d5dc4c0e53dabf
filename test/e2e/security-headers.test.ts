import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorizationRequest, login, registerApp, type TestApp } from '../support/app.ts';
import { browserSkipReason, launchBrowser } from '../support/browser.ts';
import { createConnection, userinfoScript } from '../support/connections.ts';
import { ADMIN_ID, ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.ts';
import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { UserAgent } from '../support/user-agent.ts';

let srv: TestServer;
let up: Upstream;
let app: TestApp;
beforeAll(async () => {
  srv = await startTestServer();
  up = await startGeneric({ clientId: 'up-client', clientSecret: 'up-secret', redirectUris: [`${srv.issuer}login/callback`], clientAuth: 'client_secret_post' });
  app = await registerApp(srv);
  await createConnection(srv, 'acme', {
    authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, scope: ['openid', 'profile', 'email'],
    client_id: 'up-client', client_secret: 'up-secret', scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) },
  }, { enabled_clients: [app.clientId] });
});
afterAll(async () => {
  await up.close();
  await srv.close();
});

/** A signed-in user agent: it holds an OP session, so /oidc/logout asks "sign out?". */
async function signedIn(): Promise<UserAgent> {
  const ua = new UserAgent();
  const { tokens, callback } = await login(app, ua, { connection: 'acme' });
  expect([callback.searchParams.get('error_description'), typeof tokens?.id_token]).toEqual([null, 'string']);
  return ua;
}

/** The headers that make a page or answer unframeable, unsniffable and uncached. */
function expectHardened(headers: IncomingHttpHeaders | Headers, what: string): void {
  const get = (name: string): string | undefined =>
    headers instanceof Headers ? headers.get(name) ?? undefined : (headers[name] as string | undefined);
  const seen = { what, csp: get('content-security-policy'), xfo: get('x-frame-options'), nosniff: get('x-content-type-options'),
    referrer: get('referrer-policy'), cache: get('cache-control') };
  expect(seen).toEqual({
    what, csp: expect.stringContaining("frame-ancestors 'none'"), xfo: 'DENY', nosniff: 'nosniff',
    referrer: 'no-referrer', cache: expect.stringContaining('no-store'),
  });
}

test('JSON answers: health, discovery, Management API (refused and served) and the token endpoint', async () => {
  expectHardened((await fetch(`${srv.url}/healthz`)).headers, '/healthz');
  expectHardened((await fetch(`${srv.url}/readyz`)).headers, '/readyz');
  expectHardened((await fetch(`${srv.url}/.well-known/openid-configuration`)).headers, 'discovery');
  expectHardened((await fetch(`${srv.url}/api/v2/clients`)).headers, 'Management API without a token');
  const token = await srv.adminToken();
  expectHardened((await fetch(`${srv.url}/api/v2/clients`, { headers: { authorization: `Bearer ${token}` } })).headers, 'Management API');
  const issued = await fetch(`${srv.url}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: ADMIN_ID, client_secret: ADMIN_SECRET, audience: `${srv.issuer}api/v2/` }),
  });
  expect(issued.status).toBe(200);
  expectHardened(issued.headers, 'token answer');
  const refused = await fetch(`${srv.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=nobody&client_secret=x' });
  expect(refused.status).toBe(401);
  expectHardened(refused.headers, 'token refusal');
});

test("oidc-provider's own pages: the logout form, /authorize errors and 404s cannot be framed or cached", async () => {
  const ua = await signedIn();
  const logout = await ua.request(`${srv.url}/oidc/logout`);
  expect(logout.status).toBe(200);
  expect(logout.text).toContain('Yes, sign me out');
  expect(logout.text).toContain('name="xsrf"');
  expectHardened(logout.headers, 'logout form');

  // Without a session oidc-provider answers with a self-submitting form: its inline script
  // is allowed by hash (oidc-provider adds it to our script-src), nothing else may run.
  const autoSubmit = await new UserAgent().request(`${srv.url}/oidc/logout`);
  expectHardened(autoSubmit.headers, 'auto-submitting logout form');
  const script = /<script>([\s\S]*?)<\/script>/.exec(autoSubmit.text)?.[1];
  expect(script).toBeDefined();
  const csp = String(autoSubmit.headers['content-security-policy']);
  expect(csp).toContain(`'sha256-${createHash('sha256').update(script!).digest('base64')}'`);
  expect(csp).not.toContain('unsafe-inline\'; script');

  const authorizeError = await ua.request(`${srv.url}/authorize?client_id=unknown-client&response_type=code&scope=openid`);
  expect(authorizeError.status).toBe(400);
  expect(authorizeError.headers['content-type']).toMatch(/text\/html/);
  expectHardened(authorizeError.headers, '/authorize error page');

  for (const path of ['/no-such-page', '/oidc/no-such-thing', '/api/v2/no-such-resource']) {
    const missing = await fetch(`${srv.url}${path}`);
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expectHardened(missing.headers, path);
  }
});

test("the login page keeps its own policy (icons load) and gains the rest", async () => {
  const app = await registerApp(srv);
  const ua = new UserAgent();
  const { url } = await authorizationRequest(app);
  const { page } = await ua.follow(url, app.redirectUri);
  expect(page?.url).toContain('/login/');
  expect(page?.status).toBe(200);
  expectHardened(page!.headers, 'login page');
  expect(page!.headers['content-security-policy']).toContain('img-src https: data:');
});

test('HSTS only when the issuer is https', async () => {
  expect((await fetch(`${srv.url}/healthz`)).headers.get('strict-transport-security')).toBeNull();
  const behindProxy = await startTestServer({ ISSUER: 'https://id.example.test/', TRUST_PROXY: 'true' });
  try {
    for (const path of ['/healthz', '/oidc/logout', '/no-such-page']) {
      const res = await fetch(`${behindProxy.url}${path}`);
      expect([path, res.headers.get('strict-transport-security')]).toEqual([path, expect.stringMatching(/^max-age=\d{8,}/)]);
    }
  } finally {
    await behindProxy.close();
  }
});

const skip = browserSkipReason();
if (skip) console.warn(`security headers browser test: ${skip}`);
(skip ? test.skip : test)('in Chromium the logout form cannot be framed by another site, and still works at top level', async () => {
  // The "attacker" page lives on another loopback origin and frames the sign-out form.
  const evil: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><iframe id="f" src="${srv.url}/oidc/logout"></iframe>`);
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.2', resolve));
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const framed: string[] = [];
    page.on('response', (r) => { if (r.url().includes('/oidc/logout')) framed.push(r.url()); });
    await page.goto(`http://127.0.0.2:${(evil.address() as AddressInfo).port}/`);
    await page.waitForTimeout(1000);
    expect(framed.length).toBeGreaterThan(0); // the request was made, so the refusal is the browser's
    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(frame?.url()).toMatch(/^chrome-error:/); // Chromium's page for a refused frame
    const inner = frame ? await frame.content() : '';
    // Nothing of ours rendered in the frame: not the form, nor where submitting it would lead.
    for (const ours of ['xsrf', 'Submitting Callback', '<main', '<form']) expect([ours, inner.includes(ours)]).toEqual([ours, false]);

    // At top level the self-submitting form runs (its script is allowed by hash) and ends signed out.
    const top = await browser.newPage();
    await top.goto(`${srv.url}/oidc/logout`);
    await top.waitForURL(/\/oidc\/logout\/(confirm|success)/, { timeout: 5000 });
    expect(await top.textContent('h1')).toContain('signed out');
  } finally {
    await browser.close();
    await new Promise((resolve) => evil.close(resolve));
  }
});
