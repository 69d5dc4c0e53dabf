import * as client from 'openid-client';
import type { LogEvent } from '../../src/logs/types.ts';
import { login, type TestApp } from '../support/app.ts';
import { createConnection } from '../support/connections.ts';
import { findEvent } from '../support/log-events.ts';
import { startLoginWorld, stopLoginWorld, upstreamOptions, type LoginWorld } from '../support/login-world.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import type { Upstream } from '../support/upstreams/index.ts';
import { UserAgent } from '../support/user-agent.ts';

/**
 * Tenant logs of brokered logins over HTTP: a login is one `s` with who, how and from where;
 * every way a login fails is one `f` whose details.step names the step that ended it and
 * whose description is the message the app (or, for a dead link, the user) received.
 */

let srv: TestServer;
let up: Upstream;
let app: TestApp;
let world: LoginWorld;
beforeAll(async () => {
  world = await startLoginWorld({ UPSTREAM_TIMEOUT_MS: '500' }, { name: 'Logged App' });
  ({ srv, up, app } = world);
});
afterEach(() => {
  delete up.faults.authorize;
  delete up.faults.token;
});
afterAll(() => stopLoginWorld(world));

/** A connection of its own per test, so its events are told apart by `connection:`. */
async function connection(name: string, options: Record<string, unknown> = {}): Promise<string> {
  const { id } = await createConnection(srv, name, upstreamOptions(up, options), { enabled_clients: [app.clientId] });
  return id;
}

/** Logs in through `name` and answers the app's error_description (undefined on success). */
async function attempt(name: string): Promise<string | undefined> {
  const { callback } = await login(app, new UserAgent(), { connection: name });
  return callback.searchParams.get('error_description') ?? undefined;
}

const failureOf = (name: string): Promise<LogEvent> => findEvent(srv, `type:f AND connection:${name}`);

test('a login is an s event with user, connection, client, ip and user agent; GET /users/:id/logs lists it', async () => {
  const id = await connection('logged');
  expect(await attempt('logged')).toBeUndefined();
  const s = await findEvent(srv, 'type:s AND connection:logged');
  expect(s).toMatchObject({
    type: 's', description: 'Success Login', user_id: 'oauth2|logged|generic|1001', user_name: 'ada@example.com',
    connection: 'logged', connection_id: id, client_id: app.clientId, client_name: 'Logged App', ip: '127.0.0.1', user_agent: 'test-user-agent',
  });
  // The app's code exchange belongs to the same user; its event may reach the store in a later batch than the s.
  await findEvent(srv, 'type:seacft AND user_id:"oauth2|logged|generic|1001"');
  const mine = await srv.api(`/users/${encodeURIComponent('oauth2|logged|generic|1001')}/logs`);
  expect(mine.status).toBe(200);
  expect((mine.body as LogEvent[]).map((e) => e.log_id)).toContain(s.log_id);
  expect((mine.body as LogEvent[]).map((e) => e.type)).toContain('seacft');
});

test('the provider\'s error: f at checkUpstreamError with the description the app got', async () => {
  await connection('declined');
  up.faults.authorize = { error: 'access_denied', description: 'The user declined' };
  expect(await attempt('declined')).toBe('The user declined');
  expect(await failureOf('declined')).toMatchObject({
    description: 'The user declined', client_id: app.clientId,
    details: { step: 'checkUpstreamError', error_code: 'upstream_error', app_error: 'access_denied', provider_error: 'access_denied' },
  });
});

test('the token request: f at exchangeCode with the app\'s message', async () => {
  await connection('badtoken');
  up.faults.token = { kind: 'invalid_client' };
  const message = await attempt('badtoken');
  expect(message).toMatch(/invalid_client/);
  expect(await failureOf('badtoken')).toMatchObject({ description: message, details: { step: 'exchangeCode', app_error: 'access_denied' } });
});

test('the script and the profile: f at runProfile (script error, bad profile) and saveUser (profile too large)', async () => {
  await connection('throws', { scripts: { fetchUserProfile: 'function(a, ctx, cb) { cb(new Error("upstream said no")); }' } });
  const thrown = await attempt('throws');
  expect(thrown).toMatch(/fetchUserProfile reported an error: upstream said no/);
  expect(await failureOf('throws')).toMatchObject({ description: thrown, details: { step: 'runProfile', app_error: 'access_denied' } });

  await connection('noid', { scripts: { fetchUserProfile: 'function(a, ctx, cb) { cb(null, { email: "x@example.com" }); }' } });
  const noId = await attempt('noid');
  expect(noId).toMatch(/user_id/);
  expect(await failureOf('noid')).toMatchObject({ description: noId, details: { step: 'runProfile' } });

  await connection('huge', { scripts: { fetchUserProfile: 'function(a, ctx, cb) { cb(null, { user_id: "h", blob: new Array(70000).join("x") }); }' } });
  const huge = await attempt('huge');
  expect(huge).toMatch(/fetchUserProfile returned/);
  expect(await failureOf('huge')).toMatchObject({ description: huge, details: { step: 'saveUser', error_code: 'profile_too_large' } });
});

test('an unknown connection or one not enabled for the app: f at authorize with the app\'s message', async () => {
  const unknown = await attempt('nowhere');
  expect(unknown).toMatch(/connection "nowhere" does not exist/);
  expect(await failureOf('nowhere')).toMatchObject({ description: unknown, client_id: app.clientId, client_name: 'Logged App', details: { step: 'authorize', error: 'invalid_request' } });
});

test('a replayed or foreign state: f at loadAttempt / checkBrowserBinding with the page\'s message', async () => {
  await connection('replayed');
  const ua = new UserAgent();
  const url = client.buildAuthorizationUrl(app.config, {
    redirect_uri: app.redirectUri, scope: 'openid', connection: 'replayed',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
  });
  const callback = (await ua.follow(url.toString(), `${srv.issuer}login/callback`)).stoppedAt!;
  expect((await new UserAgent().request(callback)).status).toBe(400);
  expect(await failureOf('replayed')).toMatchObject({
    // The app is only known from the connection step on; the attempt names the connection.
    description: 'This sign-in was started in another browser or tab session.',
    details: { step: 'checkBrowserBinding', app_error: 'none (the start-again page was shown)' },
  });
  expect((await ua.follow(callback, app.redirectUri)).stoppedAt).toBeDefined();
  expect((await ua.request(callback)).status).toBe(400);
  // The attempt is gone: nothing ties the replay to a connection or an app.
  const replay = await findEvent(srv, 'type:f', (e) => e.details?.['step'] === 'loadAttempt');
  expect(replay).toMatchObject({ description: 'This sign-in link has expired or was already used.', ip: '127.0.0.1' });
  expect(replay.client_id).toBeUndefined();
});

test('TRUST_PROXY: ip is the client address X-Forwarded-For names; without it the header is ignored', async () => {
  const behind = await startTestServer({ TRUST_PROXY: 'true' });
  try {
    for (const [target, expected] of [[behind, '203.0.113.9'], [srv, '127.0.0.1']] as const) {
      // A failed login needs no upstream: the callback without a state is refused at once.
      const res = await fetch(`${target.url}/login/callback?code=x`, { headers: { 'x-forwarded-for': '203.0.113.9', 'user-agent': `ua-${expected}` } });
      expect(res.status).toBe(400);
      const f = await findEvent(target, 'type:f', (e) => e.user_agent === `ua-${expected}`);
      expect(f).toMatchObject({ ip: expected, details: { step: 'readState' } });
    }
  } finally {
    await behind.close();
  }
});

test('LOGS_ENABLED=false: logins, token requests and Management writes store no event; the logs stay readable', async () => {
  const off = await startTestServer({ LOGS_ENABLED: 'false' });
  try {
    // On the server above each of these writes an event (f, seccft, sapi).
    expect((await fetch(`${off.url}/login/callback?code=x`)).status).toBe(400);
    expect((await off.api('/clients', { method: 'POST', body: { name: 'unlogged', app_type: 'non_interactive' } })).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // ten writer flush periods
    const res = await off.api('/logs?include_totals=true');
    expect(res).toMatchObject({ status: 200, body: { total: 0, logs: [] } });
  } finally {
    await off.close();
  }
  expect(await findEvent(srv, 'type:seccft')).toMatchObject({ client_id: 'test-admin-client' });
});
