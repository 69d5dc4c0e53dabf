import { openStore } from '../../src/store/open.ts';
import { withCachedConnections } from '../../src/store/cached-connections.ts';
import type { ConnectionRecord, Store } from '../../src/store/types.ts';

const now = new Date().toISOString();
const record = (name: string): ConnectionRecord => ({
  id: `con_${name}`, name, strategy: 'oauth2', options: { scope: ['openid'] }, enabled_clients: ['app'], realms: [name],
  is_domain_connection: false, show_as_button: true, metadata: {}, version: 1, created_at: now, updated_at: now,
});

let store: Store;
let reads: number;
let cached: Store;

beforeEach(async () => {
  store = await openStore({ kind: 'sqlite', file: ':memory:' });
  await store.connections.insert(record('acme'));
  reads = 0;
  // Count the reads that reach the store under the cache.
  const counting: Store = {
    ...store,
    connections: {
      ...store.connections,
      get: (id) => { reads++; return store.connections.get(id); },
      getByName: (name) => { reads++; return store.connections.getByName(name); },
    },
  };
  cached = withCachedConnections(counting);
});
afterEach(() => store.close());

test('an unchanged connection is read from the store once, by id and by name alike', async () => {
  for (let i = 0; i < 5; i++) {
    expect((await cached.connections.getByName('acme'))?.id).toBe('con_acme');
    expect((await cached.connections.get('con_acme'))?.name).toBe('acme');
  }
  expect(reads).toBe(2);
});

test('a change made through the same store is seen by the next lookup', async () => {
  await cached.connections.getByName('acme');
  const current = (await store.connections.getByName('acme'))!;
  await store.connections.replace({ ...current, enabled_clients: ['app', 'other'], version: 2 });
  expect((await cached.connections.getByName('acme'))?.enabled_clients).toEqual(['app', 'other']);
  await store.connections.delete('con_acme');
  expect(await cached.connections.getByName('acme')).toBeNull();
  expect(await cached.connections.get('con_acme')).toBeNull();
});

test('cached records are frozen, so one request cannot change what the next one reads', async () => {
  const first = (await cached.connections.getByName('acme'))!;
  expect(() => { (first.enabled_clients as string[]).push('intruder'); }).toThrow(TypeError);
  expect(() => { (first.options as Record<string, unknown>)['scope'] = []; }).toThrow(TypeError);
  expect((await cached.connections.getByName('acme'))?.enabled_clients).toEqual(['app']);
});
