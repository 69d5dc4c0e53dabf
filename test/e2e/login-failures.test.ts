import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { login, registerApp, type TestApp } from '../support/app.ts';
import { createConnection, patchConnection, userinfoScript } from '../support/connections.ts';
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
const authorizeRequests = () => up.requests.filter((r) => r.role === 'authorize').length;

/** Runs the browser until our /login/callback, without calling it. */
async function untilCallback(ua: UserAgent, connection = 'fine'): Promise<string> {
  const url = client.buildAuthorizationUrl(app.config, {
    redirect_uri: app.redirectUri, scope: 'openid', connection,
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
  ['tampers', 'function(a, ctx, cb) {\n  Map.prototype.get = function () { throw new Error("no maps here"); };\n  request.get("http://127.0.0.1:1/", function () {});\n}',
    /fetchUserProfile threw an error: no maps here \(line 2\)/],
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

describe('a connection without a fetchUserProfile script', () => {
  const howToAdd = (name: string, id: string) => new RegExp(`^connection "${name}" has no fetchUserProfile script, so nobody can sign in through it yet: `
    + `add options\\.scripts\\.fetchUserProfile \\(function \\(accessToken, ctx, cb\\) \\{ \\.\\.\\. \\}\\) with PATCH /api/v2/connections/${id} `);

  test('is refused before the user leaves for the provider: access_denied saying how to add the script', async () => {
    const { scripts: _none, ...withoutScript } = base();
    const { id } = await createConnection(srv, 'no-script', withoutScript, { enabled_clients: [app.clientId] });
    const [authorizeBefore, tokenBefore] = [authorizeRequests(), tokenRequests()];
    const { callback } = await login(app, new UserAgent(), { connection: 'no-script' });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('error_description')).toMatch(howToAdd('no-script', id));
    expect([authorizeRequests(), tokenRequests()]).toEqual([authorizeBefore, tokenBefore]);
  });

  test('removed while the user is at the provider: access_denied, and the code is never exchanged', async () => {
    const { id } = await createConnection(srv, 'removed-script', base(), { enabled_clients: [app.clientId] });
    const ua = new UserAgent();
    const callback = await untilCallback(ua, 'removed-script');
    const { scripts: _removed, ...withoutScript } = base();
    await patchConnection(srv, id, { options: withoutScript });
    const before = tokenRequests();
    const { stoppedAt } = await ua.follow(callback, app.redirectUri);
    const back = new URL(stoppedAt!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('error_description')).toMatch(howToAdd('removed-script', id));
    expect(tokenRequests()).toBe(before);
  });
});

describe('scripts stored before save-time checks (written straight to the store) fail as the script\'s fault', () => {
  /** A connection whose stored script is `script`, bypassing the API's compile check (as data written by an older version). */
  async function storedWith(name: string, script: string): Promise<void> {
    const { id } = await createConnection(srv, name, base(), { enabled_clients: [app.clientId] });
    const record = (await srv.server.store.connections.get(id))!;
    await srv.server.store.connections.replace({ ...record, version: record.version + 1, options: { ...record.options, scripts: { fetchUserProfile: script } } });
  }

  test.each([
    ['stored-bare', 'cb(null, { user_id: "1" })',
      /^connection "stored-bare": fetchUserProfile is not a function: write it as a function expression such as function \(accessToken, ctx, cb\) \{ \.\.\. \}; it runs code outside a function, which threw ReferenceError: cb is not defined \(line 1\)$/],
    ['stored-syntax', 'function(a, ctx, cb) {\n  cb(null, { user_id: 1 ); \n}', /^connection "stored-syntax": fetchUserProfile has a syntax error: Unexpected token '\)' \(line 2\)$/],
  ])('%s: access_denied with the script\'s message and line, never temporarily_unavailable', async (name, script, message) => {
    await storedWith(name, script);
    const { callback } = await login(app, new UserAgent(), { connection: name });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('error_description')).toMatch(message);
  });
});
