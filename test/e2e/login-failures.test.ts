import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { login, registerApp, type TestApp } from '../support/app.ts';
import { createConnection, userinfoScript } from '../support/connections.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';
import * as client from 'openid-client';

let srv: TestServer;
let up: Upstream;
let app: TestApp;
const base = () => ({
  authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up', client_secret: 'up-secret',
  token_endpoint_auth_method: 'client_secret_basic', scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) },
});
beforeAll(async () => {
  srv = await startTestServer({ UPSTREAM_TIMEOUT_MS: '500', SCRIPT_TIMEOUT_MS: '1000', SCRIPT_MEMORY_MB: '16' });
  up = await startGeneric({ clientId: 'up', clientSecret: 'up-secret', redirectUris: [`${srv.issuer}login/callback`], scopes: 'any' });
  app = await registerApp(srv);
  await createConnection(srv, 'fine', base(), { enabled_clients: [app.clientId] });
});
afterEach(() => {
  delete up.faults.authorize;
  delete up.faults.token;
});
afterAll(async () => {
  await up.close();
  await srv.close();
});

const tokenRequests = () => up.requests.filter((r) => r.role === 'token').length;

/** Runs the browser until our /login/callback, without calling it. */
async function untilCallback(ua: UserAgent): Promise<string> {
  const url = client.buildAuthorizationUrl(app.config, {
    redirect_uri: app.redirectUri, scope: 'openid', connection: 'fine',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
  });
  const { stoppedAt } = await ua.follow(url.toString(), `${srv.issuer}login/callback`);
  return stoppedAt!;
}

describe('state', () => {
  test('missing, foreign, or reused state gets a "start again" page and no token request', async () => {
    const ua = new UserAgent();
    const callback = await untilCallback(ua);
    const before = tokenRequests();

    const missing = await ua.request(`${srv.issuer}login/callback?code=abc`);
    expect(missing.status).toBe(400);
    expect(missing.text).toMatch(/This sign-in expired/);

    const foreign = await new UserAgent().request(callback);
    expect(foreign.status).toBe(400);
    expect(foreign.text).toMatch(/another browser/);
    expect(tokenRequests()).toBe(before);
    // A replay from elsewhere does not cancel the rightful browser's sign-in.
    const rightful = await ua.follow(callback, app.redirectUri);
    expect(new URL(rightful.stoppedAt!).searchParams.get('code')).toBeTruthy();
  });

  test('a malformed state is refused before any lookup (no 500)', async () => {
    for (const state of ['a;b', '%E0%A4%A', 'x'.repeat(500), '']) {
      const page = await new UserAgent().request(`${srv.issuer}login/callback?code=c&state=${encodeURIComponent(state)}`);
      expect(page.status).toBe(400);
    }
  });

  test('/login/:uid with code or error parameters still answers (sends the user upstream)', async () => {
    const ua = new UserAgent();
    const url = client.buildAuthorizationUrl(app.config, {
      redirect_uri: app.redirectUri, scope: 'openid', connection: 'fine',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const first = await ua.request(url.toString());
    for (const extra of ['code=x', 'error=access_denied', 'error=server_error']) {
      const page = await ua.request(`${first.location!}?${extra}`);
      expect(page.status).toBe(302);
      expect(page.location).toMatch(new RegExp(`^${up.url}/authorize`));
    }
  });

  test('a state works once: the replay gets the "start again" page', async () => {
    const ua = new UserAgent();
    const callback = await untilCallback(ua);
    const first = await ua.follow(callback, app.redirectUri);
    expect(first.stoppedAt).toBeDefined();
    const before = tokenRequests();
    const replay = await ua.request(callback);
    expect(replay.status).toBe(400);
    expect(replay.text).toMatch(/expired or was already used/);
    expect(tokenRequests()).toBe(before);
  });
});

test('an unknown connection, or one not enabled for the app, is invalid_request to the app', async () => {
  const unknown = await login(app, new UserAgent(), { connection: 'nope' });
  expect(unknown.callback.searchParams.get('error')).toBe('invalid_request');
  expect(unknown.callback.searchParams.get('error_description')).toMatch(/connection "nope" does not exist/);
  await createConnection(srv, 'other-apps', base(), { enabled_clients: [] });
  const disabled = await login(app, new UserAgent(), { connection: 'other-apps' });
  expect(disabled.callback.searchParams.get('error')).toBe('invalid_request');
  expect(disabled.callback.searchParams.get('error_description')).toMatch(/not enabled for client/);
});

test('the upstream access_denied reaches the app as access_denied with the provider description', async () => {
  up.faults.authorize = { error: 'access_denied', description: 'The user declined' };
  const { callback } = await login(app, new UserAgent(), { connection: 'fine' });
  expect(callback.searchParams.get('error')).toBe('access_denied');
  expect(callback.searchParams.get('error_description')).toBe('The user declined');
  expect(callback.searchParams.get('state')).toBeTruthy();
});

test.each([
  [{ kind: 'invalid_client' }, 'access_denied', /answered 401 invalid_client.*check client_id and client_secret/],
  [{ kind: 'invalid_grant' }, 'access_denied', /invalid_grant.*start the sign-in again/],
  [{ kind: 'status', status: 503 }, 'temporarily_unavailable', /answered 503.*try again later/],
  [{ kind: 'slow', delayMs: 2000 }, 'temporarily_unavailable', /timed out after 500 ms/],
  [{ kind: 'garbage' }, 'access_denied', /neither JSON nor form-encoded \(content-type text\/html\): check tokenURL/],
  [{ kind: 'redirect' }, 'access_denied', /a redirect, not followed.*check tokenURL/],
] as const)('token endpoint failure %j becomes %s with a message that names the fix', async (fault, error, message) => {
  up.faults.token = fault;
  const { callback } = await login(app, new UserAgent(), { connection: 'fine' });
  expect(callback.searchParams.get('error')).toBe(error);
  expect(callback.searchParams.get('error_description')).toMatch(/^connection "fine": /);
  expect(callback.searchParams.get('error_description')).toMatch(message);
});

test('a token response without an access token lists the keys present, never values', async () => {
  await createConnection(srv, 'nested', { ...base(), token_response_paths: { access_token: 'data.token' } }, { enabled_clients: [app.clientId] });
  const { callback } = await login(app, new UserAgent(), { connection: 'nested' });
  const description = callback.searchParams.get('error_description')!;
  expect(description).toMatch(/no access token at "data.token"; keys present: access_token, token_type, expires_in/);
  expect(description).not.toMatch(/gat_/);
});

const scripts: [string, string, RegExp][] = [
  ['throws', 'function(a, ctx, cb) {\n  var x = 1;\n  throw new Error("boom");\n}', /fetchUserProfile threw an error: .*boom \(line 3\)/],
  ['cb-error', 'function(a, ctx, cb) { cb(new Error("upstream said no")); }', /fetchUserProfile reported an error: upstream said no/],
  ['syntax', 'function(a, ctx, cb) {\n  cb(null, { user_id: 1 ); \n}', /fetchUserProfile has a syntax error: .*\(line 2\)/],
  ['loop', 'function(a, ctx, cb) { while (true) {} }', /fetchUserProfile took too long/],
  ['hungry', 'function(a, ctx, cb) { var a = []; while (true) a.push(new Array(100000).fill("x")); }', /fetchUserProfile ran out of memory/],
  ['silent', 'function(a, ctx, cb) { }', /fetchUserProfile finished without calling its callback/],
  ['no-id', 'function(a, ctx, cb) { cb(null, { email: "x@example.com" }); }', /fetchUserProfile returned .*user_id/],
];

test.each(scripts)('script failure (%s): access_denied naming the connection and the problem; no user written', async (name, script, message) => {
  await createConnection(srv, `s-${name}`, { ...base(), scripts: { fetchUserProfile: script } }, { enabled_clients: [app.clientId] });
  const { callback } = await login(app, new UserAgent(), { connection: `s-${name}` });
  expect(callback.searchParams.get('error')).toBe('access_denied');
  expect(callback.searchParams.get('error_description')).toMatch(new RegExp(`^connection "s-${name}": `));
  expect(callback.searchParams.get('error_description')).toMatch(message);
  const users = await srv.api(`/users?connection=s-${name}`);
  expect(users.body).toEqual([]);
});

test('after a script blows its memory, the next login still works', async () => {
  const { tokens } = await login(app, new UserAgent(), { connection: 'fine' });
  expect(tokens?.claims()?.sub).toBe('oauth2|fine|generic|1001');
});
