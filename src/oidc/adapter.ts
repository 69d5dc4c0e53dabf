import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { FifoCache } from '../lib/fifo-cache.ts';
import type { SecretBox } from '../lib/secrets.ts';
import type { Store } from '../store/types.ts';
import { toOidcMetadata } from './clients.ts';

/**
 * oidc-provider's persistence, over the Store: every model (sessions, grants, codes,
 * tokens, interactions) lives in `store.oidc`; clients come from `store.clients` in their
 * Auth0 shape, so the Management API is the one source of truth for them.
 */
export function createAdapterFactory(store: Store, box: SecretBox): (name: string) => Adapter {
  const expiry = (expiresIn: number | undefined): number | undefined => (expiresIn ? Date.now() + expiresIn * 1000 : undefined);
  const withConsumed = (rec: { payload: Record<string, unknown>; consumed?: number } | null): AdapterPayload | undefined =>
    rec ? ({ ...rec.payload, ...(rec.consumed ? { consumed: rec.consumed } : {}) } as AdapterPayload) : undefined;

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
        await store.oidc.upsert(name, id, payload as Record<string, unknown>, expiry(expiresIn));
      },
      find: async (id) => withConsumed(await store.oidc.find(name, id)),
      findByUid: async (uid) => withConsumed(await store.oidc.findByUid(name, uid)),
      findByUserCode: async (code) => withConsumed(await store.oidc.findByUserCode(name, code)),
      destroy: (id) => store.oidc.destroy(name, id),
      revokeByGrantId: (grantId) => store.oidc.revokeByGrantId(grantId),
      async consume(id) {
        // A conditional update: of two concurrent redemptions of one code, one loses here.
        if (!(await store.oidc.consume(name, id))) {
          throw new errors.InvalidGrant(`${name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} already consumed`);
        }
      },
    };
  };
}
