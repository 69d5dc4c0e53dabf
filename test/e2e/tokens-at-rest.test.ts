import * as client from 'openid-client';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createSecretBox } from '../../src/lib/secrets.ts';
import { ensureKeySet, stableKey, rotateKeys } from '../../src/oidc/keys.ts';
import { openStore } from '../../src/store/open.ts';
import { authorizationRequest, login, registerApp, type TestApp } from '../support/app.ts';
import { startAcme } from '../support/sdk-app.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import type { Upstream } from '../support/upstreams/index.ts';
import { UserAgent } from '../support/user-agent.ts';

// A copy of the database must yield nothing that works: every id oidc-provider hands out is
// stored under a keyed hash, and no payload carries the raw id.
let srv: TestServer;
let up: Upstream;
let app: TestApp;
beforeAll(async () => {
  srv = await startTestServer();
  app = await registerApp(srv);
  up = await startAcme(srv, { enabled_clients: [app.clientId] });
});
afterAll(async () => {
  await up.close();
  await srv.close();
});

/** Everything on disk of the embedded store (the WAL holds the latest writes). */
function storeBytes(): string {
  const file = join(srv.dataDir, 'store.sqlite');
  return [file, `${file}-wal`].map((f) => {
    try {
      return readFileSync(f).toString('latin1');
    } catch {
      return '';
    }
  }).join('\n');
}

/** The value of one cookie of the browser (throws when it has none). */
function cookie(ua: UserAgent, name: string): string {
  const found = ua.cookies.find((c) => c.name === name)?.value;
  if (!found) throw new Error(`the browser has no ${name} cookie`);
  return found;
}

const userinfo = async (token: string): Promise<number> =>
  (await fetch(`${srv.issuer}userinfo`, { headers: { authorization: `Bearer ${token}` } })).status;

test('after a full login (code, tokens, refresh, session) no stored string works and no raw id is in the file', async () => {
  const ua = new UserAgent();
  const first = await login(app, ua, { connection: 'acme', scope: 'openid profile email offline_access' });
  const tokens = first.tokens!;
  expect(tokens.refresh_token).toEqual(expect.any(String));
  const refreshed = await client.refreshTokenGrant(app.config, tokens.refresh_token!);
  expect(await userinfo(refreshed.access_token)).toBe(200);
  // A second authorization in the same session, its code left unredeemed (live in the store).
  const pending = await authorizationRequest(app);
  const { stoppedAt } = await ua.follow(pending.url, app.redirectUri);
  const unredeemed = new URL(stoppedAt!).searchParams.get('code');
  expect(unredeemed).toEqual(expect.any(String));

  // A login left at the login page: its interaction is live in the store.
  const waiting = new UserAgent();
  const { page } = await waiting.follow((await authorizationRequest(app)).url, 'nowhere:');
  expect(page?.url).toMatch(/\/login\/[A-Za-z0-9_-]+$/);

  const raw = storeBytes();
  // The scan reads real data: the user's profile is in the file.
  expect(raw).toContain('ada@example.com');

  const secrets = {
    'first access token': tokens.access_token,
    'refreshed access token': refreshed.access_token,
    'first refresh token': tokens.refresh_token!,
    'rotated refresh token': refreshed.refresh_token!,
    'redeemed code': first.callback.searchParams.get('code')!,
    'unredeemed code': unredeemed!,
    'session cookie': cookie(ua, '_session'),
    'waiting interaction cookie': cookie(waiting, '_interaction'),
  };
  for (const [what, value] of Object.entries(secrets)) {
    expect({ what, found: raw.includes(value) }).toEqual({ what, found: false });
  }
  // A finished login's interaction id is also kept by the login engine's own transaction (to
  // finish the login on the upstream callback, bound to the browser): what oidc-provider
  // stores never holds it.
  const interactionId = cookie(ua, '_interaction');
  const db = new DatabaseSync(join(srv.dataDir, 'store.sqlite'), { readOnly: true });
  const rows = db.prepare('SELECT model, id, doc, uid FROM oidc').all();
  db.close();
  expect(rows.map((r) => r['model'])).toEqual(expect.arrayContaining(['Session', 'Interaction', 'Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode']));
  expect(rows.filter((r) => JSON.stringify(r).includes(interactionId))).toEqual([]);

  // Every token-shaped string in the file, tried as a bearer token: none works.
  const candidates = [...new Set(raw.match(/[A-Za-z0-9_-]{20,}/g) ?? [])];
  expect(candidates.length).toBeGreaterThan(20);
  const statuses = new Map<string, number>();
  for (let i = 0; i < candidates.length; i += 20) {
    await Promise.all(candidates.slice(i, i + 20).map(async (c) => statuses.set(c, await userinfo(c))));
  }
  const working = [...statuses].filter(([, status]) => status !== 401);
  expect(working).toEqual([]);
  // ...while the live token itself still works (the 401s are not a broken endpoint).
  expect(await userinfo(refreshed.access_token)).toBe(200);
  // ...and the unredeemed code still redeems for the app that holds it.
  const late = await client.authorizationCodeGrant(app.config, new URL(stoppedAt!), { pkceCodeVerifier: pending.verifier, expectedState: pending.state });
  expect(late.access_token).toEqual(expect.any(String));
}, 60_000);

test('the stable key is added to a key set made before it existed, and every rotation keeps it', async () => {
  const store = await openStore({ kind: 'sqlite', file: ':memory:' });
  const box = createSecretBox(randomBytes(32));
  try {
    const legacy = await ensureKeySet(store, box);
    // a key set as an earlier version stored it: no stable key
    const { stable_key_enc: _dropped, ...old } = legacy;
    expect(await store.keys.compareAndSet(legacy.version, { ...old, version: legacy.version + 1 })).toBe(true);
    const upgraded = await ensureKeySet(store, box);
    expect(upgraded.stable_key_enc).toEqual(expect.any(String));
    const key = stableKey(upgraded, box);
    expect(key).toHaveLength(32);
    const rotated = await rotateKeys(store, box);
    expect(rotated.keys.map((k) => k.kid)).not.toEqual(upgraded.keys.map((k) => k.kid));
    expect(stableKey(rotated, box).equals(key)).toBe(true);
    expect(stableKey((await ensureKeySet(store, box)), box).equals(key)).toBe(true);
  } finally {
    await store.close();
  }
});
