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

describe('deleting a connection or a client that fails part-way can be sent again', () => {
  const scriptsPass = createScriptCheck(async () => ({ ok: true, durationMs: 0 }));
  const box = createSecretBox(randomBytes(32));
  const login = (connection: string, id: string) => store.users.upsertLogin({
    user_id: `${connection}|${id}`, identity: { provider: 'oauth2', connection, user_id: `${connection}|${id}`, isSocial: true } as never,
    root: { email: `${id}@example.test` }, extra: {}, setRootAttributes: 'on_each_login', now: new Date().toISOString(),
  });
  const makeConnection = async (name: string, enabled: string[] = []) => createConnectionService(store, box, NO_LOGS, scriptsPass).create({
    name, strategy: 'oauth2', enabled_clients: enabled, options: {
      authorizationURL: 'https://id.example.com/a', tokenURL: 'https://id.example.com/t', client_id: 'c',
      scripts: { fetchUserProfile: 'function(a, c, cb) { cb(null, { user_id: 1 }); }' } } } as never);

  test('a connection whose users cannot all be deleted stays, and the retry removes it with them', async () => {
    const service = createConnectionService(store, box, NO_LOGS, scriptsPass);
    const created = await makeConnection('gone');
    for (const id of ['u1', 'u2', 'u3']) await login('gone', id);
    const realDelete = store.users.delete.bind(store.users);
    let calls = 0;
    store.users.delete = async (id) => {
      if (++calls === 2) throw new Error('disk I/O error');
      return realDelete(id);
    };
    await expect(service.delete(created.id)).rejects.toThrow('disk I/O error');
    // Removing the record first would have left users out of reach here (a retry: 404).
    expect(await store.connections.get(created.id)).not.toBeNull();
    await service.delete(created.id);
    expect(await store.connections.get(created.id)).toBeNull();
    expect((await store.users.list({ connection: 'gone' }, { limit: 10 })).items).toEqual([]);
  });

  test('a client whose connections cannot be updated stays, and the retry removes it from them and itself', async () => {
    const { createClientService } = await import('../../src/management/clients/service.ts');
    const clients = createClientService(store, box);
    const { client } = await clients.create({ name: 'App' } as never);
    const connection = await makeConnection('shared', [client.client_id]);
    const realRemove = store.connections.removeClientEverywhere.bind(store.connections);
    store.connections.removeClientEverywhere = async () => { throw new Error('database is locked'); };
    await expect(clients.delete(client.client_id)).rejects.toThrow('database is locked');
    expect(await store.clients.get(client.client_id)).not.toBeNull();
    store.connections.removeClientEverywhere = realRemove;
    await clients.delete(client.client_id);
    expect(await store.clients.get(client.client_id)).toBeNull();
    expect((await store.connections.get(connection.id))?.enabled_clients).toEqual([]);
    await expect(clients.delete(client.client_id)).rejects.toMatchObject({ status: 404 });
  });
});
