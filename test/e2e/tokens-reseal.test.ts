import { NO_LOGS } from '../../src/lib/log-events.ts';
import { createScriptCheck } from '../../src/management/connections/scripts.ts';
import { randomBytes } from 'node:crypto';
import { openOptions } from '../../src/connections/stored.ts';
import { createSecretBox } from '../../src/lib/secrets.ts';
import { createClientService } from '../../src/management/clients/service.ts';
import { createConnectionService } from '../../src/management/connections/service.ts';
import { resealAll } from '../../src/management/reseal.ts';
import { clientSecretAad } from '../../src/oidc/clients.ts';
import { ensureKeySet, privateJwks, rotateKeys, stableKey } from '../../src/oidc/keys.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { openIdentityToken, sealIdentityTokens } from '../../src/users/identity-tokens.ts';

// Scripts are checked by the sandbox in their own tests; this file is about re-sealing.
const scriptsPass = createScriptCheck(async () => ({ ok: true, durationMs: 0 }));

// No lost update: every record another writer changes between the reseal's read and its write
// keeps that writer's change (and ends up sealed under the new key all the same).
const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
const oldBox = createSecretBox(oldKey);
const rotatedBox = createSecretBox(newKey, [oldKey]);
const newOnly = createSecretBox(newKey);

/** Runs `race` once, just before the first call of `method` reaches the store. */
function racing<T extends object>(repo: T, method: keyof T, race: () => Promise<unknown>): T {
  let raced = false;
  return new Proxy(repo, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== method || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (!raced) {
          raced = true;
          await race();
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

let store: Store;
beforeEach(async () => {
  store = await openStore({ kind: 'sqlite', file: ':memory:' });
});
afterEach(async () => {
  await store.close();
});

test('a client, a connection, an identity and the key set changed mid-reseal keep the change and end up under the new key', async () => {
  const oldKeys = await ensureKeySet(store, oldBox);
  const { client, secret } = await createClientService(store, oldBox).create({ name: 'App' });
  const connection = await createConnectionService(store, oldBox, NO_LOGS, scriptsPass).create({
    name: 'acme', strategy: 'oauth2',
    options: { authorizationURL: 'https://up.test/a', tokenURL: 'https://up.test/t', client_id: 'up', client_secret: 'up-secret', customHeaders: { 'X-Key': 'k' },
      scripts: { fetchUserProfile: 'function (t, c, cb) { cb(null, { user_id: "1" }); }' } },
  });
  const userId = 'oauth2|acme|1';
  const ref = { provider: 'oauth2', user_id: 'acme|1', connection: 'acme' };
  await store.users.upsertLogin({
    user_id: userId, identity: { provider: 'oauth2', connection: 'acme', user_id: 'acme|1', isSocial: true, ...sealIdentityTokens(oldBox, ref, { accessToken: 'old-at', refreshToken: 'old-rt' }) },
    root: {}, extra: {}, setRootAttributes: 'on_each_login', now: new Date().toISOString(),
  });

  const racy: Store = {
    ...store,
    clients: racing(store.clients, 'replaceIfVersion', () => createClientService(store, rotatedBox).update(client.client_id, { name: 'Renamed meanwhile' })),
    connections: racing(store.connections, 'replace', () => createConnectionService(store, rotatedBox, NO_LOGS, scriptsPass).update(connection.id, { metadata: { by: 'admin' } }, false)),
    users: racing(store.users, 'updateIdentityTokens', () =>
      store.users.updateIdentityTokens(userId, 'acme', sealIdentityTokens(rotatedBox, ref, { accessToken: 'newer-at' }))),
    keys: racing(store.keys, 'compareAndSet', () => rotateKeys(store, rotatedBox)),
  };
  const report = await resealAll(racy, rotatedBox);
  expect(report).toEqual({ keySet: 1, clients: 1, connections: 1, identities: 0 });

  const c = (await store.clients.get(client.client_id))!;
  expect(c.name).toBe('Renamed meanwhile');
  expect(newOnly.open(c.client_secret_enc!, clientSecretAad(c.client_id))).toBe(secret);
  const conn = (await store.connections.get(connection.id))!;
  expect(conn.metadata).toEqual({ by: 'admin' });
  expect(openOptions(conn, newOnly)).toMatchObject({ client_secret: 'up-secret', customHeaders: { 'X-Key': 'k' } });
  // the concurrent login's token won; the old one was not written back over it
  const identity = (await store.users.get(userId))!.identities[0]!;
  expect(openIdentityToken(newOnly, identity, 'access_token')).toBe('newer-at');
  expect(identity.refresh_token_enc).toBeUndefined();
  // the rotation that raced the reseal is kept, and every key opens under the new key alone
  const keys = (await store.keys.get())!;
  expect(keys.version).toBe(oldKeys.version + 2);
  expect(privateJwks(keys, newOnly).map((k) => k.kid)).toEqual(privateJwks(keys, rotatedBox).map((k) => k.kid));
  expect(stableKey(keys, newOnly).equals(stableKey(oldKeys, oldBox))).toBe(true);
});
