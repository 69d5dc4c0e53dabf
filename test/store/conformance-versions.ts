import { randomUUID } from 'node:crypto';
import type { ClientRecord, ConnectionRecord, Store, VersionedCollection } from '../../src/store/types.ts';
import { VersionWatch } from '../../src/store/versions.ts';

/**
 * Store.versions (part of the one conformance suite): every write of a versioned collection
 * moves its counter and the local write count, reads move nothing, and a version-checked
 * cache on it serves unchanged records without reading and changed ones at once.
 */
export function describeVersionConformance(withFreshStore: (fn: (s: Store) => Promise<void>) => Promise<void>): void {
  describe('versions', () => {
    const T0 = '2025-01-01T00:00:00.000Z';
    const id = (prefix: string): string => `${prefix}${randomUUID().replaceAll('-', '')}`;
    const client = (): ClientRecord => ({
      client_id: id('cli'), name: 'App', app_type: 'regular_web', is_first_party: true, callbacks: [], allowed_logout_urls: [],
      allowed_origins: [], web_origins: [], grant_types: [], token_endpoint_auth_method: 'none', require_pkce: true,
      client_metadata: {}, version: 1, created_at: T0, updated_at: T0,
    });
    const connection = (): ConnectionRecord => ({
      id: id('con_'), name: id('conn-'), strategy: 'oauth2', options: {}, enabled_clients: [], realms: [], is_domain_connection: false,
      show_as_button: true, metadata: {}, version: 1, created_at: T0, updated_at: T0,
    });

    /** Runs `write` and expects exactly the `moved` collections' versions to grow, and the local count too. */
    const expectMoves = async (s: Store, moved: VersionedCollection[], write: () => Promise<unknown>): Promise<void> => {
      const before = await s.versions.current();
      const localBefore = s.versions.localWrites();
      await write();
      const after = await s.versions.current();
      for (const name of Object.keys(before) as VersionedCollection[]) {
        if (moved.includes(name)) expect(after[name]).toBeGreaterThan(before[name]);
        else expect({ [name]: after[name] }).toEqual({ [name]: before[name] });
      }
      expect(s.versions.localWrites()).toBeGreaterThan(localBefore);
    };

    test('every write of a versioned collection moves its version; reads move nothing', async () => {
      await withFreshStore(async (s) => {
        const start = await s.versions.current();
        expect(start).toEqual({ clients: 0, client_grants: 0, connections: 0, keyset: 0 });
        const c = client();
        await expectMoves(s, ['clients'], () => s.clients.insert(c));
        await expectMoves(s, ['clients'], () => s.clients.replace({ ...c, name: 'renamed', version: 2 }));
        await expectMoves(s, ['clients'], () => s.clients.replaceIfVersion({ ...c, version: 3 }, 2));
        const g = { id: id('cgr_'), client_id: c.client_id, audience: 'https://api.test/', scope: [], created_at: T0, updated_at: T0 };
        await expectMoves(s, ['client_grants'], () => s.clientGrants.insert(g));
        await expectMoves(s, ['client_grants'], () => s.clientGrants.replace({ ...g, scope: ['read:users'] }));
        const k = connection();
        await expectMoves(s, ['connections'], () => s.connections.insert(k));
        await expectMoves(s, ['connections'], () => s.connections.replace({ ...k, display_name: 'Acme', version: 2 }));
        await expectMoves(s, ['keyset'], () => s.keys.compareAndSet(null, { version: 1, keys: [] }));
        // Deleting a client takes its grants along.
        await expectMoves(s, ['clients', 'client_grants'], () => s.clients.delete(c.client_id));
        await expectMoves(s, ['connections'], () => s.connections.delete(k.id));

        const settled = await s.versions.current();
        const local = s.versions.localWrites();
        await s.clients.get(c.client_id);
        await s.clients.list({ limit: 10 });
        await s.clientGrants.find(c.client_id, g.audience);
        await s.connections.getByName(k.name);
        await s.keys.get();
        await s.users.get('nobody');
        await s.oidc.upsert('Session', id('s'), { a: 1 });
        expect(await s.versions.current()).toEqual(settled);
        expect(s.versions.localWrites()).toBe(local);
      });
    });

    test('a version-checked cache serves an unchanged record without reading, a change at once', async () => {
      await withFreshStore(async (s) => {
        const cache = new VersionWatch(s.versions, { maxAgeMs: 60_000, maxEntryAgeMs: 60_000 }).cache<ClientRecord | null>('clients', 10);
        const c = client();
        await s.clients.insert(c);
        let loads = 0;
        const load = async (): Promise<ClientRecord | null> => {
          loads++;
          return s.clients.get(c.client_id);
        };
        expect(await cache.get(c.client_id, load)).toEqual(c);
        expect(await cache.get(c.client_id, load)).toEqual(c);
        expect(loads).toBe(1);
        // Through the same Store: seen by the next lookup, without waiting for the versions to be re-read.
        await s.clients.replace({ ...c, name: 'renamed', version: 2 });
        expect(await cache.get(c.client_id, load)).toMatchObject({ name: 'renamed' });
        expect(loads).toBe(2);
        expect(await cache.get(c.client_id, load)).toMatchObject({ name: 'renamed' });
        expect(loads).toBe(2);
        // A write of another collection through this Store reloads it once (the local count is store-wide).
        await s.connections.insert(connection());
        await cache.get(c.client_id, load);
        await cache.get(c.client_id, load);
        expect(loads).toBe(3);
      });
    });
  });
}
