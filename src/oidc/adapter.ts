import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { SecretBox } from '../lib/secrets.ts';
import type { OidcRecord, Store } from '../store/types.ts';
import { versionWatch } from '../store/versions.ts';
import { toOidcMetadata } from './clients.ts';
import { idsAtRest } from './ids-at-rest.ts';
import type { WriteBatch } from './write-batch.ts';

/**
 * oidc-provider's persistence, over the Store: every model (sessions, grants, codes,
 * tokens, interactions) lives in `store.oidc` under the keyed hash of its id (ids-at-rest.ts);
 * clients come from `store.clients` in their Auth0 shape, so the Management API is the one
 * source of truth for them.
 */
export function createAdapterFactory(store: Store, box: SecretBox, stableKey: Buffer, batch?: WriteBatch): (name: string) => Adapter {
  const ids = idsAtRest(stableKey);
  const expiry = (expiresIn: number | undefined): number | undefined => (expiresIn ? Date.now() + expiresIn * 1000 : undefined);
  // The raw id is not stored: a lookup by id puts it back. A lookup by uid or user code
  // cannot (oidc-provider only reads such a record, it never saves it again).
  const withConsumed = (rec: OidcRecord | null, id?: string): AdapterPayload | undefined => {
    if (!rec) return undefined;
    const payload = id === undefined ? rec.payload : ids.fromStored(id, rec.payload);
    return { ...payload, ...(rec.consumed ? { consumed: rec.consumed } : {}) } as AdapterPayload;
  };

  // Client metadata, held while the clients' version is unchanged (src/store/versions.ts): an
  // unchanged client is neither read nor decrypted and rebuilt on every request, and a change
  // or a rotated secret is seen at once in this process and within about a second elsewhere.
  const clients = versionWatch(store.versions).cache<AdapterPayload | undefined>('clients', 10_000);
  const loadClient = async (id: string): Promise<AdapterPayload | undefined> => {
    const client = await store.clients.get(id);
    return client ? (toOidcMetadata(client, box) as AdapterPayload) : undefined;
  };

  return (name: string): Adapter => {
    if (name === 'Client') {
      const readOnly = async (): Promise<undefined> => undefined;
      return {
        async find(id) {
          const payload = await clients.get(id, () => loadClient(id));
          return payload ? { ...payload } : undefined;
        },
        // Clients are written through the Management API only.
        upsert: readOnly, findByUid: readOnly, findByUserCode: readOnly, destroy: readOnly,
        consume: readOnly, revokeByGrantId: readOnly,
      };
    }
    // Writes of a request wait for its batch (write-batch.ts); every read first settles what it could see.
    const settleAll = async (): Promise<void> => batch?.settle();
    return {
      async upsert(id, payload, expiresIn) {
        const record = payload as Record<string, unknown>;
        const write = { model: name, id: ids.hash(id), payload: ids.toStored(name, id, record), expiresAt: expiry(expiresIn), lookup: ids.lookup(record) };
        if (batch?.defer(write)) return;
        await store.oidc.upsert(write.model, write.id, write.payload, write.expiresAt, write.lookup);
      },
      async find(id) {
        const hashed = ids.hash(id);
        await batch?.settle(name, hashed);
        return withConsumed(await store.oidc.find(name, hashed), id);
      },
      findByUid: async (uid) => {
        await settleAll();
        return withConsumed(await store.oidc.findByUid(name, ids.hash(uid)));
      },
      findByUserCode: async (code) => {
        await settleAll();
        return withConsumed(await store.oidc.findByUserCode(name, ids.hash(code)));
      },
      async destroy(id) {
        if (batch?.defer({ model: name, id: ids.hash(id), payload: null })) return;
        await store.oidc.destroy(name, ids.hash(id));
      },
      revokeByGrantId: async (grantId) => {
        await settleAll();
        await store.oidc.revokeByGrantId(grantId);
      },
      async consume(id) {
        await settleAll();
        // A conditional update: of two concurrent redemptions of one code, one loses here.
        if (!(await store.oidc.consume(name, ids.hash(id)))) {
          throw new errors.InvalidGrant(`${name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} already consumed`);
        }
      },
    };
  };
}
