import * as client from 'openid-client';
import { login, type TestApp } from '../support/app.ts';
import { createConnection } from '../support/connections.ts';
import { findEvent } from '../support/log-events.ts';
import { startLoginWorld, stopLoginWorld, upstreamOptions, type LoginWorld } from '../support/login-world.ts';
import { clientCredentialsToken, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

/**
 * Tenant logs of the token endpoint and of logout over HTTP: code exchange, refresh and
 * client credentials each write their Auth0 success or failure code (a failed client
 * authentication is feccft whatever the grant); both logouts write slo.
 */

let srv: TestServer;
let app: TestApp;
let world: LoginWorld;
const USER = 'oauth2|acme|generic|1001';
beforeAll(async () => {
  world = await startLoginWorld({}, { name: 'Token App' });
  ({ srv, app } = world);
  await createConnection(srv, 'acme', upstreamOptions(world.up), { enabled_clients: [app.clientId] });
});
afterAll(() => stopLoginWorld(world));

/** A raw token request (form-encoded), answered as JSON. */
async function tokenRequest(form: Record<string, string>, basic?: [string, string]): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${srv.issuer}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'token-tester',
      ...(basic ? { authorization: `Basic ${Buffer.from(`${basic[0]}:${basic[1]}`).toString('base64')}` } : {}) },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('code exchange: seacft for the user and app; a replayed code is feacft with the error the app got', async () => {
  const ua = new UserAgent();
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(app.config, {
    redirect_uri: app.redirectUri, scope: 'openid', connection: 'acme',
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const code = new URL((await ua.follow(url.toString(), app.redirectUri)).stoppedAt!).searchParams.get('code')!;
  const form = { grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, code_verifier: verifier };
  expect((await tokenRequest(form, [app.clientId, app.clientSecret])).status).toBe(200);
  expect(await findEvent(srv, 'type:seacft', (e) => e.user_agent === 'token-tester')).toMatchObject({
    type: 'seacft', user_id: USER, client_id: app.clientId, client_name: 'Token App', ip: '127.0.0.1', details: { grant_type: 'authorization_code' },
  });
  const replay = await tokenRequest(form, [app.clientId, app.clientSecret]);
  expect(replay.body['error']).toBe('invalid_grant');
  expect(await findEvent(srv, 'type:feacft')).toMatchObject({
    client_id: app.clientId, description: replay.body['error_description'], details: { error: 'invalid_grant', grant_type: 'authorization_code' },
  });
});

test('refresh: sertft for the user; an unknown refresh token is fertft', async () => {
  const { tokens } = await login(app, new UserAgent(), { connection: 'acme', scope: 'openid offline_access', prompt: 'consent' });
  await client.refreshTokenGrant(app.config, tokens!.refresh_token!);
  expect(await findEvent(srv, 'type:sertft')).toMatchObject({ user_id: USER, client_id: app.clientId, client_name: 'Token App', details: { grant_type: 'refresh_token' } });
  const bad = await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token' }, [app.clientId, app.clientSecret]);
  expect(bad.body['error']).toBe('invalid_grant');
  expect(await findEvent(srv, 'type:fertft')).toMatchObject({ client_id: app.clientId, description: bad.body['error_description'], details: { error: 'invalid_grant' } });
});

test('client credentials: seccft; a bad secret is feccft, for this grant and for any other', async () => {
  const m2m = await srv.clientWith(['read:users']);
  await clientCredentialsToken(srv.issuer, m2m.client_id, m2m.client_secret, `${srv.issuer}api/v2/`);
  expect(await findEvent(srv, `type:seccft AND client_id:${m2m.client_id}`)).toMatchObject({ client_name: 'm2m read:users', details: { grant_type: 'client_credentials' } });

  const wrong = await tokenRequest({ grant_type: 'client_credentials', audience: `${srv.issuer}api/v2/` }, [m2m.client_id, 'wrong-secret']);
  expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  expect(await findEvent(srv, `type:feccft AND client_id:${m2m.client_id}`)).toMatchObject({
    description: wrong.body['error_description'], details: { error: 'invalid_client', grant_type: 'client_credentials' },
  });
  const wrongCode = await tokenRequest({ grant_type: 'authorization_code', code: 'x', redirect_uri: app.redirectUri }, [app.clientId, 'wrong-secret']);
  expect(wrongCode.body['error']).toBe('invalid_client');
  expect(await findEvent(srv, `type:feccft AND client_id:${app.clientId}`)).toMatchObject({ details: { error: 'invalid_client', grant_type: 'authorization_code' } });
});

test('logout: /oidc/logout and /v2/logout each write slo with the user and the app', async () => {
  const ua = new UserAgent();
  const { tokens } = await login(app, ua, { connection: 'acme' });
  const confirm = await ua.request(client.buildEndSessionUrl(app.config, { id_token_hint: tokens!.id_token! }).toString());
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)?.[1];
  expect(xsrf).toBeDefined();
  expect((await ua.request(`${srv.issuer}oidc/logout/confirm`, { form: { xsrf: xsrf!, logout: 'yes' } })).status).toBe(303);
  expect(await findEvent(srv, 'type:slo', (e) => e.details?.['endpoint'] === '/oidc/logout')).toMatchObject({
    user_id: USER, client_id: app.clientId, client_name: 'Token App', user_agent: 'test-user-agent',
  });

  const again = new UserAgent();
  await login(app, again, { connection: 'acme' });
  expect((await again.request(`${srv.issuer}v2/logout?client_id=${app.clientId}`)).status).toBe(200);
  expect(await findEvent(srv, 'type:slo', (e) => e.details?.['endpoint'] === '/v2/logout')).toMatchObject({
    user_id: USER, client_id: app.clientId, client_name: 'Token App',
  });
});
