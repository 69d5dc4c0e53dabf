import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { FifoCache } from '../lib/fifo-cache.ts';
import type { SecretBox } from '../lib/secrets.ts';
import type { OidcRecord, Store } from '../store/types.ts';
import { toOidcMetadata } from './clients.ts';
import { idsAtRest } from './ids-at-rest.ts';

/**
 * oidc-provider's persistence, over the Store: every model (sessions, grants, codes,
 * tokens, interactions) lives in `store.oidc` under the keyed hash of its id (ids-at-rest.ts);
 * clients come from `store.clients` in their Auth0 shape, so the Management API is the one
 * source of truth for them.
 */
export function createAdapterFactory(store: Store, box: SecretBox, stableKey: Buffer): (name: string) => Adapter {
  const ids = idsAtRest(stableKey);
  const expiry = (expiresIn: number | undefined): number | undefined => (expiresIn ? Date.now() + expiresIn * 1000 : undefined);
  // The raw id is not stored: a lookup by id puts it back. A lookup by uid or user code
  // cannot (oidc-provider only reads such a record, it never saves it again).
  const withConsumed = (rec: OidcRecord | null, id?: string): AdapterPayload | undefined => {
    if (!rec) return undefined;
    const payload = id === undefined ? rec.payload : ids.fromStored(id, rec.payload);
    return { ...payload, ...(rec.consumed ? { consumed: rec.consumed } : {}) } as AdapterPayload;
  };

  // Metadata per client version: the record is still read on every lookup (so a change or a
  // rotated secret takes effect at once, in every process), but not decrypted and rebuilt.
  const metadata = new FifoCache<string, { version: number; payload: AdapterPayload }>(10_000);

  return (name: string): Adapter => {
    if (name === 'Client') {
      const readOnly = async (): Promise<undefined> => undefined;
      return {
        async find(id) {
          const client = await store.clients.get(id);
          if (!client) return undefined;
          const hit = metadata.get(id);
          if (hit?.version === client.version) return { ...hit.payload };
          const payload = toOidcMetadata(client, box) as AdapterPayload;
          metadata.set(id, { version: client.version, payload });
          return payload;
        },
        // Clients are written through the Management API only.
        upsert: readOnly, findByUid: readOnly, findByUserCode: readOnly, destroy: readOnly,
        consume: readOnly, revokeByGrantId: readOnly,
      };
    }
    return {
      async upsert(id, payload, expiresIn) {
        const record = payload as Record<string, unknown>;
        await store.oidc.upsert(name, ids.hash(id), ids.toStored(name, id, record), expiry(expiresIn), ids.lookup(record));
      },
      find: async (id) => withConsumed(await store.oidc.find(name, ids.hash(id)), id),
      findByUid: async (uid) => withConsumed(await store.oidc.findByUid(name, ids.hash(uid))),
      findByUserCode: async (code) => withConsumed(await store.oidc.findByUserCode(name, ids.hash(code))),
      destroy: (id) => store.oidc.destroy(name, ids.hash(id)),
      revokeByGrantId: (grantId) => store.oidc.revokeByGrantId(grantId),
      async consume(id) {
        // A conditional update: of two concurrent redemptions of one code, one loses here.
        if (!(await store.oidc.consume(name, ids.hash(id)))) {
          throw new errors.InvalidGrant(`${name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} already consumed`);
        }
      },
    };
  };
}
