import * as client from 'openid-client';
import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { login, registerApp, type TestApp } from '../support/app.ts';
import { createConnection, userinfoScript } from '../support/connections.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

let srv: TestServer;
let up: Upstream;
let app: TestApp;
beforeAll(async () => {
  srv = await startTestServer();
  up = await startGeneric({ clientId: 'up', clientSecret: 'up-secret', redirectUris: [`${srv.issuer}login/callback`], scopes: 'any' });
  app = await registerApp(srv);
  await createConnection(srv, 'acme', {
    authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up', client_secret: 'up-secret',
    token_endpoint_auth_method: 'client_secret_basic', scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) },
  }, { enabled_clients: [app.clientId] });
});
afterAll(async () => {
  await up.close();
  await srv.close();
});

const authorizeUrl = (a: TestApp, params: Record<string, string>) =>
  client.buildAuthorizationUrl(a.config, { redirect_uri: a.redirectUri, scope: 'openid', connection: 'acme', ...params }).toString();

test('PKCE is required by default: a request without code_challenge goes back to the app as invalid_request', async () => {
  const { stoppedAt } = await new UserAgent().follow(authorizeUrl(app, {}), app.redirectUri);
  const url = new URL(stoppedAt!);
  expect(url.searchParams.get('error')).toBe('invalid_request');
  expect(url.searchParams.get('error_description')).toMatch(/requires PKCE/);
});

test('a confidential client with require_pkce false may skip PKCE', async () => {
  const relaxed = await registerApp(srv, { require_pkce: false });
  await srv.api(`/connections/${((await srv.api('/connections?name=acme')).body as { id: string }[])[0]!.id}/clients`, {
    method: 'PATCH', body: [{ client_id: relaxed.clientId, status: true }],
  });
  const { stoppedAt } = await new UserAgent().follow(authorizeUrl(relaxed, { state: 's' }), relaxed.redirectUri);
  const callback = new URL(stoppedAt!);
  expect(callback.searchParams.get('code')).toBeTruthy();
  const tokens = await client.authorizationCodeGrant(relaxed.config, callback, { expectedState: 's' });
  expect(tokens.claims()?.sub).toBe('oauth2|acme|generic|1001');
});

test('redirect_uri must match exactly: a near miss gets an error page, never a redirect', async () => {
  for (const wrong of [`${app.redirectUri}/x`, app.redirectUri.replace('callback', 'Callback'), `${app.redirectUri}?a=1`]) {
    const url = new URL(authorizeUrl(app, { code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }));
    url.searchParams.set('redirect_uri', wrong);
    const page = await new UserAgent().request(url.toString());
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
    expect(page.text).toMatch(/redirect_uri &#34;[^&]+&#34; is not registered for application/);
  }
});

test('refresh tokens rotate: the new one works, the old one is refused', async () => {
  const { tokens } = await login(app, new UserAgent(), { connection: 'acme', scope: 'openid offline_access', prompt: 'consent' });
  expect(tokens!.refresh_token).toBeTruthy();
  const second = await client.refreshTokenGrant(app.config, tokens!.refresh_token!);
  expect(second.refresh_token).toBeTruthy();
  expect(second.refresh_token).not.toBe(tokens!.refresh_token);
  expect(second.claims()?.sub).toBe('oauth2|acme|generic|1001');
  await expect(client.refreshTokenGrant(app.config, tokens!.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
});

test('a third-party app asks for consent; Allow completes the login, Deny is access_denied', async () => {
  const third = await registerApp(srv, { is_first_party: false });
  const id = ((await srv.api('/connections?name=acme')).body as { id: string }[])[0]!.id;
  await srv.api(`/connections/${id}/clients`, { method: 'PATCH', body: [{ client_id: third.clientId, status: true }] });
  for (const decision of ['allow', 'deny']) {
    const ua = new UserAgent();
    const verifier = client.randomPKCECodeVerifier();
    const start = authorizeUrl(third, { scope: 'openid email', state: 'st', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const { page } = await ua.follow(start, third.redirectUri);
    expect(page!.status).toBe(200);
    expect(page!.text).toMatch(/Allow access\?/);
    expect(page!.text).toMatch(/See your email address/);
    const action = /action="([^"]+\/consent)"/.exec(page!.text)![1]!;
    const { stoppedAt } = await ua.follow(new URL(action, srv.issuer).toString(), third.redirectUri, { form: { decision } });
    const callback = new URL(stoppedAt!);
    if (decision === 'deny') {
      expect(callback.searchParams.get('error')).toBe('access_denied');
    } else {
      const tokens = await client.authorizationCodeGrant(third.config, callback, { pkceCodeVerifier: verifier, expectedState: 'st' });
      expect(tokens.claims()?.email).toBe('ada@example.com');
    }
  }
});

test('logout ends the session and revocation revokes a refresh token', async () => {
  const ua = new UserAgent();
  const { tokens } = await login(app, ua, { connection: 'acme', scope: 'openid offline_access', prompt: 'consent' });
  await client.tokenRevocation(app.config, tokens!.refresh_token!);
  await expect(client.refreshTokenGrant(app.config, tokens!.refresh_token!)).rejects.toThrow();
  const logout = client.buildEndSessionUrl(app.config, { id_token_hint: tokens!.id_token! });
  const page = await ua.request(logout.toString());
  expect(page.status).toBe(200);
  expect(page.text).toMatch(/Sign out\?/);
});

test('a user login can never carry Management API scopes, even when the app holds a Management API grant', async () => {
  await srv.api('/client-grants', { method: 'POST', body: { client_id: app.clientId, audience: `${srv.issuer}api/v2/`, scope: ['read:users'] } });
  const { callback } = await login(app, new UserAgent(), { connection: 'acme', audience: `${srv.issuer}api/v2/`, scope: 'openid read:users' });
  expect(callback.searchParams.get('error')).toBe('invalid_target');
  expect(callback.searchParams.get('error_description')).toMatch(/only available to the client credentials grant/);
});

test('deleting a user ends their sessions and refresh tokens; a re-created connection does not inherit them', async () => {
  const ua = new UserAgent();
  const { tokens } = await login(app, ua, { connection: 'acme', scope: 'openid offline_access', prompt: 'consent' });
  const sub = tokens!.claims()!.sub;
  expect((await srv.api(`/users/${encodeURIComponent(sub)}`, { method: 'DELETE' })).status).toBe(204);
  await expect(client.refreshTokenGrant(app.config, tokens!.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  // The same browser is asked to sign in again (no silent session for a deleted user).
  const again = await ua.follow(client.buildAuthorizationUrl(app.config, { redirect_uri: app.redirectUri, scope: 'openid', prompt: 'none',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' }).toString(), app.redirectUri);
  expect(new URL(again.stoppedAt!).searchParams.get('error')).toBe('login_required');
});

test('the consent page shows API scopes too, and grants only after Allow', async () => {
  const third = await registerApp(srv, { is_first_party: false });
  const id = ((await srv.api('/connections?name=acme')).body as { id: string }[])[0]!.id;
  await srv.api(`/connections/${id}/clients`, { method: 'PATCH', body: [{ client_id: third.clientId, status: true }] });
  await srv.api('/client-grants', { method: 'POST', body: { client_id: third.clientId, audience: 'https://api.example/', scope: ['read:things'] } });
  const ua = new UserAgent();
  const verifier = client.randomPKCECodeVerifier();
  const start = authorizeUrl(third, { scope: 'openid read:things', audience: 'https://api.example/', state: 'st',
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  const { page } = await ua.follow(start, third.redirectUri);
  expect(page!.text).toMatch(/Use <code>https:\/\/api\.example\/<\/code> on your behalf: <code>read:things<\/code>/);
  const action = /action="([^"]+\/consent)"/.exec(page!.text)![1]!;
  const { stoppedAt } = await ua.follow(new URL(action, srv.issuer).toString(), third.redirectUri, { form: { decision: 'allow' } });
  const tokens = await client.authorizationCodeGrant(third.config, new URL(stoppedAt!), { pkceCodeVerifier: verifier, expectedState: 'st' },
    { resource: 'https://api.example/' });
  const [, body] = tokens.access_token.split('.');
  expect(JSON.parse(Buffer.from(body!, 'base64url').toString())).toMatchObject({ aud: 'https://api.example/', scope: 'read:things' });
});
