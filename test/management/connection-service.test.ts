import { randomBytes } from 'node:crypto';
import { createSecretBox } from '../../src/lib/secrets.ts';
import { NO_LOGS } from '../../src/logs/types.ts';
import { createScriptCheck } from '../../src/management/connections/scripts.ts';
import { createConnectionService } from '../../src/management/connections/service.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';

let store: Store;
beforeEach(async () => {
  store = await openStore({ kind: 'sqlite', file: ':memory:' });
});
afterEach(async () => {
  await store.close();
});

test('two updates built on the same read: the second gets 409 and the first one stays', async () => {
  // This test is about concurrent writes; the sandbox's verdict on scripts is tested in test/sandbox and the e2e suite.
  const scriptsPass = createScriptCheck(async () => ({ ok: true, durationMs: 0 }));
  const service = createConnectionService(store, createSecretBox(randomBytes(32)), NO_LOGS, scriptsPass);
  const created = await service.create({ name: 'race', strategy: 'oauth2', options: {
    authorizationURL: 'https://id.example.com/a', tokenURL: 'https://id.example.com/t', client_id: 'c',
    scripts: { fetchUserProfile: 'function(a, c, cb) { cb(null, { user_id: 1 }); }' } } } as never);
  // Both writers read version 1 before either writes: the interleaving a concurrent PATCH produces.
  const stale = await store.connections.get(created.id);
  const realGet = store.connections.get.bind(store.connections);
  store.connections.get = async () => structuredClone(stale);
  await service.update(created.id, { display_name: 'first' }, false);
  await expect(service.update(created.id, { display_name: 'second' }, false))
    .rejects.toMatchObject({ status: 409, message: expect.stringMatching(/changed by another request meanwhile; read it again and retry/) });
  store.connections.get = realGet;
  expect(await store.connections.get(created.id)).toMatchObject({ display_name: 'first', version: 2 });
});
