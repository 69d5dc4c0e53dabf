import type { IncomingMessage } from 'node:http';
import type { ClientGrantRecord, Store } from '../store/types.ts';

/**
 * One client-grant read per token request. A client-credentials request without `scope`
 * reads the grant twice otherwise: the Auth0 dialect fills the scope from it, then
 * getResourceServerInfo checks the same client and audience. Both ask through here with the
 * request, so the second gets the first's answer; nothing outlives the request.
 */
const perRequest = new WeakMap<IncomingMessage, Map<string, Promise<ClientGrantRecord | null>>>();

/** The client grant of (clientId, audience), read at most once for `req`. */
export function findClientGrant(store: Store, req: IncomingMessage | undefined, clientId: string, audience: string): Promise<ClientGrantRecord | null> {
  if (req === undefined) return store.clientGrants.find(clientId, audience);
  let lookups = perRequest.get(req);
  if (lookups === undefined) {
    lookups = new Map();
    perRequest.set(req, lookups);
  }
  const key = `${clientId}\n${audience}`;
  let found = lookups.get(key);
  if (found === undefined) {
    found = store.clientGrants.find(clientId, audience);
    lookups.set(key, found);
  }
  return found;
}
