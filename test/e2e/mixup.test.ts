import * as client from 'openid-client';
import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { login, registerApp, type TestApp } from '../support/app.ts';
import { createConnection, userinfoScript } from '../support/connections.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

// Mix-up attack (RFC 9700 §4.4): a malicious provider ("evil") bounces the victim to an honest
// provider, so the honest provider's code comes back under the state of the evil connection.
let srv: TestServer;
let honest: Upstream;
let evil: Upstream;
let app: TestApp;
const options = (up: Upstream, extra: Record<string, unknown> = {}) => ({
  authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up', client_secret: 'up-secret',
  token_endpoint_auth_method: 'client_secret_basic', unique_callback: true, scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) }, ...extra,
});
beforeAll(async () => {
  srv = await startTestServer();
  honest = await startGeneric({ clientId: 'up', clientSecret: 'up-secret', redirectUris: [`${srv.issuer}login/callback/honest`], scopes: 'any' });
  evil = await startGeneric({ clientId: 'up', clientSecret: 'up-secret', redirectUris: [`${srv.issuer}login/callback/evil`], scopes: 'any' });
  app = await registerApp(srv);
  await createConnection(srv, 'honest', options(honest, { issuer: honest.url }), { enabled_clients: [app.clientId] });
  await createConnection(srv, 'evil', options(evil), { enabled_clients: [app.clientId] });
});
afterAll(async () => {
  await honest.close();
  await evil.close();
  await srv.close();
});

async function startLogin(ua: UserAgent, connection: string): Promise<URL> {
  const url = client.buildAuthorizationUrl(app.config, { redirect_uri: app.redirectUri, scope: 'openid', connection,
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
  const { stoppedAt } = await ua.follow(url.toString(), connection === 'evil' ? evil.url : honest.url);
  return new URL(stoppedAt!);
}

test('with its own callback address, a connection never receives another provider\'s code', async () => {
  const ok = await login(app, new UserAgent(), { connection: 'honest' });
  expect(ok.tokens?.claims()?.sub).toBe('oauth2|honest|generic|1001');
  expect(honest.lastAuthorize!.query['redirect_uri']).toBe(`${srv.issuer}login/callback/honest`);

  const victim = new UserAgent();
  const atEvil = await startLogin(victim, 'evil');
  // Evil sends the victim to the honest provider with the victim's evil-login state.
  const bounced = new URL(`${honest.url}/authorize`);
  for (const [k, v] of Object.entries({ response_type: 'code', client_id: 'up', redirect_uri: `${srv.issuer}login/callback/honest`, scope: 'openid',
    state: atEvil.searchParams.get('state')! })) bounced.searchParams.set(k, v);
  const evilTokenRequests = evil.requests.filter((r) => r.role === 'token').length;
  const { page } = await victim.follow(bounced.toString(), app.redirectUri);
  expect(page!.status).toBe(400);
  expect(page!.text).toMatch(/another connection&#39;s callback address|another connection's callback address/);
  expect(evil.requests.filter((r) => r.role === 'token').length).toBe(evilTokenRequests);
});

test('an iss on the callback that is not the connection\'s issuer stops the login before the token request (RFC 9207)', async () => {
  const ua = new UserAgent();
  const url = client.buildAuthorizationUrl(app.config, { redirect_uri: app.redirectUri, scope: 'openid', connection: 'honest',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
  const { stoppedAt } = await ua.follow(url.toString(), `${srv.issuer}login/callback/honest`);
  const tokens = honest.requests.filter((r) => r.role === 'token').length;
  const { stoppedAt: end } = await ua.follow(`${stoppedAt!}&iss=${encodeURIComponent(evil.url)}`, app.redirectUri);
  const callback = new URL(end!);
  expect(callback.searchParams.get('error')).toBe('access_denied');
  expect(callback.searchParams.get('error_description')).toMatch(/came from issuer .* not http:\/\/127\.0\.0\.1:\d+; the code was not used/);
  expect(honest.requests.filter((r) => r.role === 'token').length).toBe(tokens);
});
