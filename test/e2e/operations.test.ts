import { rm } from 'node:fs/promises';
import * as client from 'openid-client';
import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { ADMIN_ID, ADMIN_SECRET, clientCredentialsToken, startTestServer, testEnv } from '../support/server.ts';
import { spawnServer, type ServerProcess } from '../support/process.ts';
import { userinfoScript } from '../support/connections.ts';
import { UserAgent } from '../support/user-agent.ts';

test('/readyz answers 503 when the store does not answer; /healthz stays up', async () => {
  const srv = await startTestServer();
  await srv.server.store.close();
  const ready = await fetch(`${srv.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toMatchObject({ status: 'unavailable', store: 'sqlite' });
  expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
  await srv.close().catch(() => undefined);
});

describe('a server process with a login in flight', () => {
  let env: Record<string, string>;
  let proc: ServerProcess;
  let up: Upstream;
  let issuer: string;
  let app: { client_id: string; client_secret: string };
  const UPSTREAM_SECRET = 'upstream-secret-never-logged-7f3a';

  beforeAll(async () => {
    env = await testEnv({ LOG_LEVEL: 'debug' });
    issuer = env['ISSUER']!;
    up = await startGeneric({ clientId: 'up', clientSecret: UPSTREAM_SECRET, redirectUris: [`${issuer}login/callback`], scopes: 'any' });
    proc = await spawnServer(env);
    const token = await clientCredentialsToken(issuer, ADMIN_ID, ADMIN_SECRET, `${issuer}api/v2/`);
    const api = async (path: string, body: unknown) => (await fetch(`${issuer}api/v2${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    })).json() as Promise<Record<string, unknown>>;
    app = await api('/clients', { name: 'app', callbacks: ['http://127.0.0.1:65530/cb'] }) as typeof app;
    await api('/connections', { name: 'acme', strategy: 'oauth2', enabled_clients: [app.client_id], options: {
      authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up', client_secret: UPSTREAM_SECRET,
      token_endpoint_auth_method: 'client_secret_basic', customHeaders: { 'X-Secret-Header': 'header-secret-value-91b2' },
      scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) } } });
  });
  afterAll(async () => {
    await proc?.stop('SIGKILL');
    await up?.close();
    await rm(env['DATA_DIR']!, { recursive: true, force: true });
  });

  test('SIGTERM lets the in-flight login finish, then exits 0; no secret or token ever reaches the log', async () => {
    const config = await client.discovery(new URL(issuer), app.client_id, app.client_secret, undefined, { execute: [client.allowInsecureRequests] });
    const ua = new UserAgent();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: 'http://127.0.0.1:65530/cb', scope: 'openid', connection: 'acme',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const { stoppedAt } = await ua.follow(url.toString(), `${issuer}login/callback`);
    up.faults.token = { kind: 'slow', delayMs: 1200 };
    const inFlight = ua.request(stoppedAt!);
    await new Promise((r) => setTimeout(r, 300));
    const exited = proc.stop('SIGTERM');
    const answer = await inFlight;
    expect(answer.status).toBe(303);
    expect(answer.location).toMatch(/\/authorize\//);
    expect(await exited).toBe(0);

    const log = proc.output();
    expect(log).toMatch(/shutting down/);
    const secrets = [UPSTREAM_SECRET, 'header-secret-value-91b2', ADMIN_SECRET, app.client_secret, env['SECRETS_KEY']!,
      ...up.tokensIssued.flatMap((t) => [t.accessToken, t.refreshToken ?? 'no-refresh-token']), ...up.codesIssued.map((c) => c.code)];
    for (const secret of secrets) expect(log).not.toContain(secret);
    // It was a real, verbose log (debug level), not an empty one.
    expect(log.split('\n').filter((l) => l.startsWith('{')).length).toBeGreaterThan(3);
  });
});
