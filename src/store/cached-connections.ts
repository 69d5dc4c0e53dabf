import type { ConnectionRecord, ConnectionRepo, Store } from './types.ts';
import { versionWatch } from './versions.ts';

/** Freezes a record all the way down: a cached record is shared by every request that reads it. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * The store as the login path reads it: connection lookups by id and by name come from a
 * version-checked in-process cache (store/versions.ts: a change made through this store is
 * seen at once, one made elsewhere within about a second), so a login does not read its
 * connection three times. Records are frozen; every other method is the store's own.
 */
export function withCachedConnections(store: Store, maxEntries = 10_000): Store {
  const cache = versionWatch(store.versions).cache<ConnectionRecord | null>('connections', maxEntries);
  const connections: ConnectionRepo = {
    ...store.connections,
    get: (id) => cache.get(`id:${id}`, async () => deepFreeze(await store.connections.get(id))),
    getByName: (name) => cache.get(`name:${name}`, async () => deepFreeze(await store.connections.getByName(name))),
  };
  return { ...store, connections };
}
