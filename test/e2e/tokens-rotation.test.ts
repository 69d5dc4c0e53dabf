import * as client from 'openid-client';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { keyId } from '../../src/lib/secrets.ts';
import { login, registerApp, type TestApp } from '../support/app.ts';
import { createConnection, userinfoScript } from '../support/connections.ts';
import { runScript } from '../support/process.ts';
import { clientCredentialsToken, freePort, startTestServer, testEnv, type TestServer } from '../support/server.ts';
import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { UserAgent } from '../support/user-agent.ts';

// SECRETS_KEY rotation end to end: old key -> new key with the old one in SECRETS_KEY_PREVIOUS
// (everything still readable) -> npm run reseal while that server runs -> old key removed.
const [oldKey, newKey] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
let dataDir: string;
let port: string;
let up: Upstream;
let srv: TestServer | undefined;
let app: TestApp;
let userId: string;
let upstreamToken: string;
let refreshToken: string;
let mgmtToken: string;
const ua = new UserAgent();

const start = async (keys: Record<string, string>): Promise<TestServer> => {
  await srv?.close();
  srv = await startTestServer({ DATA_DIR: dataDir, PORT: port, ...keys });
  return srv;
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'idp-rotation-'));
  port = String(await freePort());
  const s = await start({ SECRETS_KEY: oldKey });
  up = await startGeneric({ clientId: 'up', clientSecret: 'up-secret', redirectUris: [`${s.issuer}login/callback`], scopes: 'any',
    requireTokenHeaders: { 'x-api-key': 'k-123' } });
  app = await registerApp(s);
  // acme: the user whose upstream tokens stay sealed under the old key until the reseal;
  // later: the same upstream under another name, for fresh sign-ins after each restart.
  for (const name of ['acme', 'later']) {
    await createConnection(s, name, {
      authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up', client_secret: 'up-secret',
      token_endpoint_auth_method: 'client_secret_basic', customHeaders: { 'X-Api-Key': 'k-123' },
      scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) },
    }, { enabled_clients: [app.clientId] });
  }
  const first = await login(app, ua, { connection: 'acme', scope: 'openid profile email offline_access' });
  refreshToken = first.tokens!.refresh_token!;
  userId = first.tokens!.claims()!.sub;
  upstreamToken = (await identity(s)).access_token;
  mgmtToken = await s.adminToken();
}, 60_000);
afterAll(async () => {
  await srv?.close();
  await up.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function identity(s: TestServer): Promise<{ access_token: string }> {
  const res = await s.api(`/users/${encodeURIComponent(userId)}`);
  expect(res.status).toBe(200);
  return (res.body as { identities: { access_token: string }[] }).identities[0]!;
}

/** Everything sealed must still open: client and admin secrets, connection secret + header, upstream tokens, signing keys, cookies. */
async function everythingWorks(s: TestServer): Promise<void> {
  // the app's client secret (token endpoint) and its refresh token, kept across restarts
  const refreshed = await client.refreshTokenGrant(app.config, refreshToken);
  refreshToken = refreshed.refresh_token!;
  // an existing Management token (signed before, by a key that was re-sealed) and a new one (admin secret)
  expect((await s.api('/clients', { token: mgmtToken })).status).toBe(200);
  expect(await clientCredentialsToken(s.issuer, 'test-admin-client', 'test-admin-secret-0123456789abcdef', `${s.issuer}api/v2/`)).toEqual(expect.any(String));
  // the browser's session from the first server, without signing in again
  const silent = await login(app, ua, { prompt: 'none' });
  expect(silent.callback.searchParams.get('error')).toBeNull();
  // the upstream tokens sealed in the identity
  expect((await identity(s)).access_token).toBe(upstreamToken);
  // a new sign-in through a connection: its client_secret and custom header are opened for the upstream
  const fresh = await login(app, new UserAgent(), { connection: 'later' });
  expect(fresh.tokens?.claims()?.sub).toMatch(/^oauth2\|later\|/);
}

/** Every sealed value in the store, by table. */
function sealedValues(): string[] {
  const db = new DatabaseSync(join(dataDir, 'store.sqlite'), { readOnly: true });
  try {
    const rows = [
      ...db.prepare('SELECT doc FROM clients').all(), ...db.prepare('SELECT doc FROM connections').all(),
      ...db.prepare('SELECT doc FROM users').all(), ...db.prepare('SELECT doc || coalesce(stable_key_enc, \'\') AS doc FROM keyset').all(),
    ];
    return rows.flatMap((r) => String(r['doc']).match(/enc[12]\.[A-Za-z0-9_.-]+/g) ?? []);
  } finally {
    db.close();
  }
}

test('rotate, read everything, reseal while serving, drop the old key: everything keeps working', async () => {
  const before = sealedValues();
  // clients (2), 2 connection secrets + headers, 1 identity token, 2 signing keys + stable key at least
  expect(before.length).toBeGreaterThanOrEqual(10);
  expect(before.every((v) => v.startsWith(`enc2.${keyId(Buffer.from(oldKey, 'base64'))}.`))).toBe(true);

  const rotated = await start({ SECRETS_KEY: newKey, SECRETS_KEY_PREVIOUS: oldKey });
  await everythingWorks(rotated);

  const env = await testEnv({ DATA_DIR: dataDir, PORT: port, SECRETS_KEY: newKey, SECRETS_KEY_PREVIOUS: oldKey });
  const resealed = await runScript('scripts/reseal.ts', env);
  expect(resealed).toMatchObject({ code: 0 });
  expect(resealed.output).toMatch(new RegExp(`re-sealed under key id ${keyId(Buffer.from(newKey, 'base64'))}: key set 1, clients [2-9], connections 2, identities 1`));
  const after = sealedValues();
  expect(after.length).toBeGreaterThanOrEqual(before.length);
  expect(after.filter((v) => !v.startsWith(`enc2.${keyId(Buffer.from(newKey, 'base64'))}.`))).toEqual([]);
  // the server that was running during the reseal reads the new ciphertexts
  await everythingWorks(rotated);
  // a second run has nothing left to do
  expect((await runScript('scripts/reseal.ts', env)).output).toMatch(/key set 0, clients 0, connections 0, identities 0/);

  await everythingWorks(await start({ SECRETS_KEY: newKey }));
}, 120_000);

test('a ciphertext under a key the settings do not hold stops the start with a message naming SECRETS_KEY_PREVIOUS', async () => {
  await srv?.close();
  srv = undefined;
  await expect(startTestServer({ DATA_DIR: dataDir, PORT: port, SECRETS_KEY: oldKey }))
    .rejects.toThrow(new RegExp(`sealed under key id ${keyId(Buffer.from(newKey, 'base64'))}.*add the key it was sealed with to SECRETS_KEY_PREVIOUS`));
  srv = await startTestServer({ DATA_DIR: dataDir, PORT: port, SECRETS_KEY: oldKey, SECRETS_KEY_PREVIOUS: newKey });
});
