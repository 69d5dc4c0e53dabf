import { createMetrics } from '../../src/metrics/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { observeStore } from '../../src/store/observe.ts';
import { StoreConflictError, type ClientRecord } from '../../src/store/types.ts';
import { sample } from '../support/metrics.ts';

/** brokerid_store_errors_total counts the store calls that threw, through the store's own observer hook. */

const app = (id: string): ClientRecord => ({
  client_id: id, name: 'App', app_type: 'regular_web', is_first_party: true, callbacks: ['https://app.test/cb'], allowed_logout_urls: [],
  allowed_origins: [], web_origins: [], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_post', require_pkce: true,
  client_metadata: {}, version: 1, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z',
});

test('a taken key counts as a conflict, a broken store as an error; answers and errors reach the caller unchanged', async () => {
  const metrics = createMetrics();
  const raw = await openSqliteStore({ file: ':memory:' });
  const store = observeStore(raw, metrics);
  const count = async (call: string, kind: string) => sample(await metrics.render(), 'brokerid_store_errors_total', { call, kind });

  await store.clients.insert(app('one'));
  expect((await store.clients.get('one'))?.name).toBe('App');
  expect(await store.clients.get('none')).toBeNull();
  expect(await count('clients.insert', 'conflict')).toBe(0);

  const taken = await store.clients.insert(app('one')).catch((e: unknown) => e);
  expect(taken).toBeInstanceOf(StoreConflictError);
  expect(await count('clients.insert', 'conflict')).toBe(1);
  expect(await count('clients.insert', 'error')).toBe(0);

  await raw.close();
  const broken = await store.clients.get('one').catch((e: unknown) => e);
  // node:sqlite's own error (from another realm under jest: checked by its message).
  expect((broken as Error).message).toMatch(/not open/);
  expect(await count('clients.get', 'error')).toBe(1);
  await expect(store.ping()).rejects.toThrow();
  expect(await count('ping', 'error')).toBe(1);
});
