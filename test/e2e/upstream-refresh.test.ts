import { startGeneric, startSubdomain, type SubdomainUpstream, type Upstream } from '../support/upstreams/index.ts';
import { login, registerApp, type TestApp } from '../support/app.ts';
import { createConnection, userinfoScript } from '../support/connections.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

let srv: TestServer;
let up: Upstream;
let zen: SubdomainUpstream;
let app: TestApp;
const generic = () => ({
  authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up', client_secret: 'up-secret',
  token_endpoint_auth_method: 'client_secret_basic', scope: 'openid email offline_access',
  scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) },
});
beforeAll(async () => {
  srv = await startTestServer();
  up = await startGeneric({ clientId: 'up', clientSecret: 'up-secret', redirectUris: [`${srv.issuer}login/callback`], refresh: 'rotate' });
  zen = await startSubdomain({ clientId: 'zen', clientSecret: 'zen-secret', redirectUris: [`${srv.issuer}login/callback`], tenants: ['acme', 'globex'], refreshTokens: true });
  app = await registerApp(srv);
  await createConnection(srv, 'gen', generic(), { enabled_clients: [app.clientId] });
  await login(app, new UserAgent(), { connection: 'gen' });
});
afterEach(() => {
  delete up.faults.token;
});
afterAll(async () => {
  await zen.close();
  await up.close();
  await srv.close();
});

const USER = encodeURIComponent('oauth2|gen|generic|1001');
const identityTokens = async (user = USER, connection = 'gen') => {
  const body = (await srv.api(`/users/${user}`)).body as { identities: { connection: string; access_token?: string; refresh_token?: string }[] };
  return body.identities.find((i) => i.connection === connection)!;
};

test('an admin gets a fresh upstream access token; the rotated refresh token is stored sealed and used next time', async () => {
  const before = await identityTokens();
  expect(before.refresh_token).toMatch(/^grt_/);
  const res = await srv.api(`/users/${USER}/identities/gen/refresh`, { method: 'POST' });
  expect(res.status).toBe(200);
  const body = res.body as { access_token: string; expires_in: number; refresh_token_rotated: boolean };
  expect(body.access_token).toMatch(/^gat_/);
  expect(body.access_token).not.toBe(before.access_token);
  expect(body).toMatchObject({ expires_in: 3600, token_type: 'Bearer', refresh_token_rotated: true });
  expect(body).not.toHaveProperty('refresh_token');
  // Same client authentication and quirks as the login: HTTP Basic, refresh_token grant.
  const sent = up.lastToken!;
  expect(sent.headers['authorization']).toMatch(/^Basic /);
  expect(sent.body).toMatchObject({ grant_type: 'refresh_token', refresh_token: before.refresh_token });
  const after = await identityTokens();
  expect(after.access_token).toBe(body.access_token);
  expect(after.refresh_token).not.toBe(before.refresh_token);
  // The next refresh presents the rotated token (the old one is dead at a rotating provider).
  expect((await srv.api(`/users/${USER}/identities/gen/refresh`, { method: 'POST' })).status).toBe(200);
});

test('provider errors are reported with the fix; nothing is overwritten', async () => {
  const before = await identityTokens();
  up.faults.token = { kind: 'invalid_grant' };
  const res = await srv.api(`/users/${USER}/identities/gen/refresh`, { method: 'POST' });
  expect(res.status).toBe(502);
  expect((res.body as { message: string }).message).toMatch(/connection "gen": .*invalid_grant.*refresh token was rejected.*sign in again/);
  expect(await identityTokens()).toEqual(before);
});

test('404 for unknown users or identities, 409 when no refresh token was issued, 403 without read:user_idp_tokens', async () => {
  expect((await srv.api('/users/nobody/identities/gen/refresh', { method: 'POST' })).status).toBe(404);
  expect((await srv.api(`/users/${USER}/identities/other/refresh`, { method: 'POST' })).status).toBe(404);
  const noRefresh = await startGeneric({ clientId: 'up', clientSecret: 'up-secret', redirectUris: [`${srv.issuer}login/callback`], refresh: 'none' });
  await createConnection(srv, 'no-offline', { ...generic(), authorizationURL: `${noRefresh.url}/authorize`, tokenURL: `${noRefresh.url}/token`,
    scripts: { fetchUserProfile: userinfoScript(`${noRefresh.url}/userinfo`) } }, { enabled_clients: [app.clientId] });
  await login(app, new UserAgent(), { connection: 'no-offline' });
  await noRefresh.close();
  const none = await srv.api(`/users/${encodeURIComponent('oauth2|no-offline|generic|1001')}/identities/no-offline/refresh`, { method: 'POST' });
  expect(none.status).toBe(409);
  expect((none.body as { message: string }).message).toMatch(/no upstream refresh token .*offline/);

  const token = await srv.tokenWith(['read:users']);
  const denied = await srv.api(`/users/${USER}/identities/gen/refresh`, { method: 'POST', token });
  expect(denied.status).toBe(403);
  const user = (await srv.api(`/users/${USER}`, { token })).body as { identities: Record<string, unknown>[] };
  expect(user.identities[0]).not.toHaveProperty('access_token');
});

test('a per-tenant connection refreshes at the tenant it signed in at (template values kept with the identity)', async () => {
  const script = `function(accessToken, ctx, cb) {
    request.get({ url: 'http://' + ctx.template_vars.subdomain + '.localhost:${zen.port}/api/v2/users/me.json', headers: { Authorization: 'Bearer ' + accessToken }, json: true },
      function(err, resp, body) { if (err) return cb(err); cb(null, { user_id: body.user.id, email: body.user.email, name: body.user.name }); });
  }`;
  await createConnection(srv, 'zendesk', {
    authorizationURL: `http://{{ subdomain }}.localhost:${zen.port}/oauth/authorizations/new`,
    tokenURL: `http://{{ subdomain }}.localhost:${zen.port}/oauth/tokens`,
    client_id: 'zen', client_secret: 'zen-secret', scope: 'read', token_request_format: 'json',
    template_params: { subdomain: { from: 'subdomain' } }, scripts: { fetchUserProfile: script },
  }, { enabled_clients: [app.clientId] });
  const { tokens, callback } = await login(app, new UserAgent(), { connection: 'zendesk', subdomain: 'globex' });
  expect(callback.searchParams.get('error_description')).toBeNull();
  const sub = tokens!.claims()!.sub;
  const res = await srv.api(`/users/${encodeURIComponent(sub)}/identities/zendesk/refresh`, { method: 'POST' });
  expect(res.status).toBe(200);
  expect(zen.lastToken!.headers['host']).toBe(zen.hostOf('globex'));
  expect(zen.lastToken!.body).toMatchObject({ grant_type: 'refresh_token' });
});
