import { silentAuthorize, startAcme, startSdkApp, type SdkApp } from '../support/sdk-app.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import type { Upstream } from '../support/upstreams/index.ts';
import { UserAgent, type Page } from '../support/user-agent.ts';

// Auth0's Express SDK (express-openid-connect) as the app, over real HTTP on loopback.
let srv: TestServer;
let up: Upstream;
const apps: SdkApp[] = [];
beforeAll(async () => {
  srv = await startTestServer();
  up = await startAcme(srv);
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await up.close();
  await srv.close();
});

async function sdkApp(opts: Parameters<typeof startSdkApp>[1]): Promise<SdkApp> {
  const app = await startSdkApp(srv, opts);
  apps.push(app);
  return app;
}

const NOWHERE = 'nowhere:';
const json = <T>(page: Page | undefined): T => {
  if (page?.status !== 200) throw new Error(`expected 200, got ${page?.status} ${page?.url}\n${page?.text.slice(0, 1000)}`);
  return JSON.parse(page.text) as T;
};
interface Profile { user: { sub: string; email: string }; hasRefreshToken: boolean; accessToken: string }
const onServer = (p: Page, path: string) => p.url.startsWith(`${srv.issuer}${path}`);

async function userinfo(accessToken: string): Promise<number> {
  return (await fetch(`${srv.issuer}userinfo`, { headers: { authorization: `Bearer ${accessToken}` } })).status;
}

test('the SDK signs in through connection=, reads /userinfo, refreshes, and logs out through /v2/logout', async () => {
  const app = await sdkApp({ connection: 'acme' });
  const ua = new UserAgent();
  const profile = json<Profile>((await ua.follow(`${app.url}/profile`, NOWHERE)).page);
  expect(profile.user).toMatchObject({ sub: 'oauth2|acme|generic|1001', email: 'ada@example.com' });
  // offline_access without prompt=consent, as the SDK sends it: a refresh token, as on Auth0.
  const authorize = new URL(ua.visited.find((p) => onServer(p, 'authorize?'))!.url);
  expect(authorize.searchParams.get('scope')).toBe('openid profile email offline_access');
  expect(authorize.searchParams.get('connection')).toBe('acme');
  expect(authorize.searchParams.has('prompt')).toBe(false);
  expect(profile.hasRefreshToken).toBe(true);

  expect(json<{ sub: string; email: string }>(await ua.request(`${app.url}/userinfo`))).toMatchObject({ sub: profile.user.sub, email: 'ada@example.com' });

  const refreshed = json<{ before: string; after: string; refreshToken: string }>(await ua.request(`${app.url}/refresh`));
  expect(refreshed.before).toBe(profile.accessToken);
  expect(refreshed.after).not.toBe(refreshed.before);
  expect(await userinfo(refreshed.after)).toBe(200);

  expect((await silentAuthorize(srv, ua, app)).searchParams.get('code')).toBeTruthy();
  const seen = ua.visited.length;
  const out = await ua.follow(`${app.url}/logout`, NOWHERE);
  expect(out.page).toMatchObject({ url: app.returnTo, status: 200, text: 'app: signed out' });
  const logout = ua.visited.slice(seen).find((p) => onServer(p, 'v2/logout'))!;
  expect(new URL(logout.url).searchParams.get('returnTo')).toBe(app.returnTo);
  expect(new URL(logout.url).searchParams.get('client_id')).toBe(app.clientId);
  expect(logout).toMatchObject({ status: 302, location: app.returnTo });

  // The server's session is over: prompt=none is refused, and the app's next visit signs in at the upstream again.
  expect((await silentAuthorize(srv, ua, app)).searchParams.get('error')).toBe('login_required');
  const upstreamHits = (from: number) => ua.visited.slice(from).filter((p) => p.url.startsWith(`${up.url}/authorize`)).length;
  const before = ua.visited.length;
  expect(json<Profile>((await ua.follow(`${app.url}/profile`, NOWHERE)).page).user.sub).toBe(profile.user.sub);
  expect(upstreamHits(before)).toBe(1);

  // Offline access outlives the browser session, as on Auth0 (revoke it with /oauth/revoke).
  const res = await fetch(`${srv.issuer}oauth/token`, {
    method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshed.refreshToken }),
    headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
  });
  expect(res.status).toBe(200);
});

test('without offline_access there is no refresh token, and the access token dies with the session at logout', async () => {
  const app = await sdkApp({ connection: 'acme', scope: 'openid profile email' });
  const ua = new UserAgent();
  const profile = json<Profile>((await ua.follow(`${app.url}/profile`, NOWHERE)).page);
  expect(profile.hasRefreshToken).toBe(false);
  expect(await userinfo(profile.accessToken)).toBe(200);
  await ua.follow(`${app.url}/logout`, NOWHERE);
  expect(await userinfo(profile.accessToken)).toBe(401);
});

test('an app not allowed the refresh_token grant signs in with offline_access but gets no refresh token', async () => {
  const app = await sdkApp({ connection: 'acme', client: { grant_types: ['authorization_code'] } });
  const profile = json<Profile>((await new UserAgent().follow(`${app.url}/profile`, NOWHERE)).page);
  expect(profile).toMatchObject({ user: { sub: 'oauth2|acme|generic|1001' }, hasRefreshToken: false });
});

test('a third-party app: the consent page lists offline access, and only Allow yields a refresh token', async () => {
  const app = await sdkApp({ connection: 'acme', client: { is_first_party: false } });
  for (const decision of ['deny', 'allow']) {
    const ua = new UserAgent();
    const { page } = await ua.follow(`${app.url}/profile`, NOWHERE);
    expect(page).toMatchObject({ status: 200, url: expect.stringMatching(`^${srv.issuer}login/`) });
    expect(page!.text).toMatch(/Allow access\?/);
    expect(page!.text).toMatch(/Keep you signed in: access your data while you are away \(offline access\)/);
    const action = /action="([^"]+\/consent)"/.exec(page!.text)![1]!;
    const done = await ua.follow(new URL(action, srv.issuer).toString(), NOWHERE, { form: { decision } });
    if (decision === 'deny') {
      const callback = new URL(ua.visited.find((p) => p.url.startsWith(`${app.url}/callback`))!.url);
      expect(callback.searchParams.get('error')).toBe('access_denied');
      expect(callback.searchParams.has('code')).toBe(false);
    } else {
      expect(json<Profile>(done.page)).toMatchObject({ user: { sub: 'oauth2|acme|generic|1001' }, hasRefreshToken: true });
    }
  }
});
