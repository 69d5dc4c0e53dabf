import type { IncomingMessage } from 'node:http';
import type { ClientGrantRecord, Store } from '../store/types.ts';
import { versionWatch, type VersionedCache } from '../store/versions.ts';

/**
 * One client-grant read per token request. A client-credentials request without `scope`
 * reads the grant twice otherwise: the Auth0 dialect fills the scope from it, then
 * getResourceServerInfo checks the same client and audience. Both ask through here with the
 * request, so the second gets the first's answer; across requests the grant is cached
 * while the client grants' version is unchanged.
 */
const perRequest = new WeakMap<IncomingMessage, Map<string, Promise<ClientGrantRecord | null>>>();

/** Grants by (client, audience), held while the client grants' version is unchanged (src/store/versions.ts). */
const caches = new WeakMap<Store, VersionedCache<ClientGrantRecord | null>>();

function cachedGrant(store: Store, clientId: string, audience: string): Promise<ClientGrantRecord | null> {
  let cache = caches.get(store);
  if (!cache) {
    cache = versionWatch(store.versions).cache('client_grants', 10_000);
    caches.set(store, cache);
  }
  return cache.get(`${clientId}\n${audience}`, () => store.clientGrants.find(clientId, audience));
}

/** The client grant of (clientId, audience), read at most once for `req`. */
export function findClientGrant(store: Store, req: IncomingMessage | undefined, clientId: string, audience: string): Promise<ClientGrantRecord | null> {
  if (req === undefined) return cachedGrant(store, clientId, audience);
  let lookups = perRequest.get(req);
  if (lookups === undefined) {
    lookups = new Map();
    perRequest.set(req, lookups);
  }
  const key = `${clientId}\n${audience}`;
  let found = lookups.get(key);
  if (found === undefined) {
    found = cachedGrant(store, clientId, audience);
    lookups.set(key, found);
  }
  return found;
}
