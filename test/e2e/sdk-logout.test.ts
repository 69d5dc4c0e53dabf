import { silentAuthorize, startAcme, startSdkApp, type SdkApp } from '../support/sdk-app.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import type { Upstream } from '../support/upstreams/index.ts';
import { UserAgent } from '../support/user-agent.ts';

// GET /v2/logout as Auth0 defines it: only registered URLs as destinations; a refused request ends nothing.
let srv: TestServer;
let up: Upstream;
let app: SdkApp;
beforeAll(async () => {
  srv = await startTestServer();
  up = await startAcme(srv);
  app = await startSdkApp(srv, { connection: 'acme' });
});
afterAll(async () => {
  await app.close();
  await up.close();
  await srv.close();
});

/** A browser signed in to the server (through the SDK app). */
async function signedIn(): Promise<UserAgent> {
  const ua = new UserAgent();
  const { page } = await ua.follow(`${app.url}/profile`, 'nowhere:');
  if (page?.status !== 200) throw new Error(`sign-in failed: ${page?.status} ${page?.text.slice(0, 500)}`);
  return ua;
}

const logoutUrl = (params: Array<[string, string]>) => `${srv.issuer}v2/logout?${new URLSearchParams(params).toString()}`;
const hasSession = async (ua: UserAgent) => (await silentAuthorize(srv, ua, app)).searchParams.has('code');

test('a returnTo that is not registered exactly gets an error page naming it and the fix, no redirect, and the session stays', async () => {
  const ua = await signedIn();
  const refused = [
    'https://evil.example/', `${app.returnTo}/`, `${app.returnTo}?next=https://evil.example/`, app.returnTo.replace('signed-out', 'Signed-Out'),
    app.returnTo.replace('127.0.0.1', 'localhost'), `//evil.example${new URL(app.returnTo).pathname}`, `${app.url}@evil.example/signed-out`,
    `${app.returnTo}#x`, `${app.url}/"><script>alert(1)</script>`,
  ];
  for (const returnTo of refused) {
    const page = await ua.request(logoutUrl([['client_id', app.clientId], ['returnTo', returnTo]]));
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('We could not sign you out');
    expect(page.text).toContain(`returnTo &#34;${returnTo.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;')}&#34; is not in the allowed_logout_urls`);
    expect(page.text).toContain(`PATCH /api/v2/clients/${app.clientId}`);
    expect(page.text).not.toContain('<script>');
  }
  expect(await hasSession(ua)).toBe(true);
});

test('malformed requests are refused with what to fix, and end nothing', async () => {
  const ua = await signedIn();
  const cases: Array<[Array<[string, string]>, string]> = [
    [[['returnTo', app.returnTo]], 'needs client_id'],
    [[['client_id', 'no-such-app'], ['returnTo', app.returnTo]], 'client_id &#34;no-such-app&#34; is not a registered application'],
    [[['client_id', app.clientId], ['returnTo', app.returnTo], ['returnTo', 'https://evil.example/']], 'returnTo must be given once'],
    [[['client_id', app.clientId], ['returnTo', '']], 'returnTo must not be empty'],
  ];
  for (const [params, message] of cases) {
    const page = await ua.request(logoutUrl(params));
    expect({ status: page.status, location: page.location }).toEqual({ status: 400, location: undefined });
    expect(page.text).toContain(message);
  }
  expect(await hasSession(ua)).toBe(true);
});

test('a registered returnTo is where the browser goes; federated is accepted and ignored', async () => {
  const ua = await signedIn();
  const page = await ua.request(logoutUrl([['client_id', app.clientId], ['returnTo', app.returnTo], ['federated', '']]));
  expect({ status: page.status, location: page.location }).toEqual({ status: 302, location: app.returnTo });
  expect(ua.cookies.filter((c) => c.name.startsWith('_session'))).toEqual([]);
  expect(await hasSession(ua)).toBe(false);
});

test("without returnTo: the client's first allowed logout URL, else a signed-out page", async () => {
  const ua = await signedIn();
  const page = await ua.request(logoutUrl([['client_id', app.clientId]]));
  expect({ status: page.status, location: page.location }).toEqual({ status: 302, location: app.returnTo });
  expect(await hasSession(ua)).toBe(false);

  const other = await signedIn();
  const plain = await other.request(logoutUrl([]));
  expect(plain.status).toBe(200);
  expect(plain.location).toBeUndefined();
  expect(plain.text).toContain('You are signed out');
  expect(await hasSession(other)).toBe(false);
});

test("one browser's logout leaves another browser's session alone", async () => {
  const [a, b] = [await signedIn(), await signedIn()];
  await a.request(logoutUrl([['client_id', app.clientId]]));
  expect([await hasSession(a), await hasSession(b)]).toEqual([false, true]);
});
