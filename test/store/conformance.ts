import { randomUUID } from 'node:crypto';
import { StoreConflictError } from '../../src/store/types.ts';
import { describeLogConformance } from './conformance-logs.ts';
import { describeWindowCounterConformance } from './conformance-counters.ts';
import { describeVersionConformance } from './conformance-versions.ts';
import type {
  ClientGrantRecord,
  ClientRecord,
  ConnectionRecord,
  IdentityRecord,
  KeySet,
  LoginUpsert,
  Store,
  TransactionRecord,
} from '../../src/store/types.ts';

/**
 * The one suite every Store backend runs. Tests share one store but use fresh ids, so they
 * never depend on each other; tests that need exact totals or an empty key set open their
 * own store (`open` must return a fresh, empty store on every call).
 */
export interface ConformanceOptions {
  /** False for a backend that opts out of the optional `windowCounter` (with the reason at the call). */
  windowCounters?: boolean;
}

export function describeStoreConformance(name: string, open: () => Promise<Store>, options: ConformanceOptions = {}): void {
  describe(`store conformance: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
    });
    /** Runs `fn` on a store of its own, closed afterwards. */
    const withFreshStore = async (fn: (s: Store) => Promise<void>): Promise<void> => {
      const s = await open();
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    };

    describe('clients', () => {
      test('insert, get, replace, delete', async () => {
        const c = client();
        expect(await store.clients.get(c.client_id)).toBeNull();
        await store.clients.insert(c);
        expect(await store.clients.get(c.client_id)).toEqual(c);
        const changed = { ...c, name: 'renamed', callbacks: ['https://app.test/cb2'], version: 2 };
        expect(await store.clients.replace(changed)).toBe(true);
        expect(await store.clients.get(c.client_id)).toEqual(changed);
        expect(await store.clients.replace(client())).toBe(false);
        expect(await store.clients.delete(c.client_id)).toBe(true);
        expect(await store.clients.get(c.client_id)).toBeNull();
        expect(await store.clients.delete(c.client_id)).toBe(false);
      });

      test('replaceIfVersion writes only over the expected version', async () => {
        const c = client({ version: 3 });
        await store.clients.insert(c);
        const next = { ...c, client_secret_enc: 'v2:enc', version: 4 };
        expect(await store.clients.replaceIfVersion(next, 2)).toBe(false);
        expect(await store.clients.get(c.client_id)).toEqual(c);
        expect(await store.clients.replaceIfVersion(next, 3)).toBe(true);
        expect(await store.clients.get(c.client_id)).toEqual(next);
        expect(await store.clients.replaceIfVersion({ ...next, version: 5 }, 3)).toBe(false);
        expect(await store.clients.replaceIfVersion(client(), 1)).toBe(false);
      });

      test('a taken client_id rejects with StoreConflictError and writes nothing', async () => {
        const c = client();
        await store.clients.insert(c);
        const err = await store.clients.insert({ ...c, name: 'intruder' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreConflictError);
        expect(err).toMatchObject({ key: 'client_id' });
        expect(await store.clients.get(c.client_id)).toEqual(c);
      });

      test('delete also deletes its client grants (and only those)', async () => {
        const c = client();
        const other = fresh('client');
        await store.clients.insert(c);
        const g1 = grant({ client_id: c.client_id });
        const g2 = grant({ client_id: c.client_id });
        const kept = grant({ client_id: other, audience: g1.audience });
        for (const g of [g1, g2, kept]) await store.clientGrants.insert(g);
        expect(await store.clients.delete(c.client_id)).toBe(true);
        expect(await store.clientGrants.get(g1.id)).toBeNull();
        expect(await store.clientGrants.find(c.client_id, g2.audience)).toBeNull();
        expect((await store.clientGrants.list({ client_id: c.client_id }, { limit: 10 })).items).toEqual([]);
        expect(await store.clientGrants.get(kept.id)).toEqual(kept);
      });

      test('list pages in client_id order: offset, afterId, includeTotal, limit 0', async () => {
        await withFreshStore(async (s) => {
          const ids = ['c07', 'c03', 'c01', 'c05', 'c02', 'c06', 'c04'];
          for (const id of ids) await s.clients.insert(client({ client_id: id }));
          const idsOf = (r: { items: ClientRecord[] }): string[] => r.items.map((c) => c.client_id);
          expect(idsOf(await s.clients.list({ limit: 3 }))).toEqual(['c01', 'c02', 'c03']);
          expect(idsOf(await s.clients.list({ limit: 3, offset: 3 }))).toEqual(['c04', 'c05', 'c06']);
          const last = await s.clients.list({ limit: 3, offset: 6, includeTotal: true });
          expect(idsOf(last)).toEqual(['c07']);
          expect(last.total).toBe(7);
          const checkpoint = await s.clients.list({ limit: 2, afterId: 'c03', includeTotal: true });
          expect(idsOf(checkpoint)).toEqual(['c04', 'c05']);
          expect(checkpoint.total).toBe(7);
          expect(await s.clients.list({ limit: 0, includeTotal: true })).toEqual({ items: [], total: 7 });
          expect((await s.clients.list({ limit: 5 })).total).toBeUndefined();
          expect(idsOf(await s.clients.list({ limit: 5, afterId: 'c07' }))).toEqual([]);
        });
      });
    });

    describe('client grants', () => {
      test('insert, get, find, replace, delete', async () => {
        const g = grant();
        await store.clientGrants.insert(g);
        expect(await store.clientGrants.get(g.id)).toEqual(g);
        expect(await store.clientGrants.find(g.client_id, g.audience)).toEqual(g);
        expect(await store.clientGrants.find(g.client_id, 'https://other.test/')).toBeNull();
        const changed = { ...g, scope: ['read:users', 'update:users'] };
        expect(await store.clientGrants.replace(changed)).toBe(true);
        expect(await store.clientGrants.get(g.id)).toEqual(changed);
        expect(await store.clientGrants.replace(grant())).toBe(false);
        expect(await store.clientGrants.delete(g.id)).toBe(true);
        expect(await store.clientGrants.get(g.id)).toBeNull();
        expect(await store.clientGrants.delete(g.id)).toBe(false);
      });

      test('(client_id, audience) and id are unique; a conflict writes nothing', async () => {
        const g = grant();
        await store.clientGrants.insert(g);
        const samePair = grant({ client_id: g.client_id, audience: g.audience });
        const err = await store.clientGrants.insert(samePair).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreConflictError);
        expect(err).toMatchObject({ key: 'client_id,audience' });
        expect(await store.clientGrants.get(samePair.id)).toBeNull();
        const sameId = grant({ id: g.id });
        await expect(store.clientGrants.insert(sameId)).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.clientGrants.find(sameId.client_id, sameId.audience)).toBeNull();
        // replace onto another grant's pair is a conflict too
        const other = grant({ client_id: g.client_id });
        await store.clientGrants.insert(other);
        await expect(store.clientGrants.replace({ ...other, audience: g.audience })).rejects.toBeInstanceOf(
          StoreConflictError,
        );
        expect(await store.clientGrants.get(other.id)).toEqual(other);
      });

      test('list filters by client_id and audience, in id order', async () => {
        const [clientA, clientB, audX, audY] = [fresh('ca'), fresh('cb'), fresh('https://x/'), fresh('https://y/')];
        const ax = grant({ id: `${fresh('cgr')}-1`, client_id: clientA, audience: audX });
        const ay = grant({ id: `${ax.id}-2`, client_id: clientA, audience: audY });
        const bx = grant({ client_id: clientB, audience: audX });
        for (const g of [ay, bx, ax]) await store.clientGrants.insert(g);
        const byClient = await store.clientGrants.list({ client_id: clientA }, { limit: 10, includeTotal: true });
        expect(byClient).toEqual({ items: [ax, ay], total: 2 });
        const byAudience = await store.clientGrants.list({ audience: audX }, { limit: 10 });
        expect(byAudience.items.map((g) => g.id).sort()).toEqual([ax.id, bx.id].sort());
        expect((await store.clientGrants.list({ client_id: clientA, audience: audX }, { limit: 10 })).items).toEqual([ax]);
        expect((await store.clientGrants.list({ client_id: clientA }, { limit: 1, afterId: ax.id })).items).toEqual([ay]);
        expect((await store.clientGrants.list({ client_id: clientA }, { limit: 1, offset: 1 })).items).toEqual([ay]);
      });
    });

    describe('connections', () => {
      test('insert, get, getByName, replace, delete', async () => {
        const c = connection();
        expect(await store.connections.getByName(c.name)).toBeNull();
        await store.connections.insert(c);
        expect(await store.connections.get(c.id)).toEqual(c);
        expect(await store.connections.getByName(c.name)).toEqual(c);
        const changed = { ...c, options: { scope: ['openid'], nested: { a: [1, 2] } }, version: 2, show_as_button: false };
        expect(await store.connections.replace(changed)).toBe(true);
        expect(await store.connections.getByName(c.name)).toEqual(changed);
        expect(await store.connections.replace(connection())).toBe(false);
        // Optimistic concurrency: a replace built on a stale version loses and changes nothing.
        await expect(store.connections.replace({ ...changed, display_name: 'stale', version: 2 })).rejects.toMatchObject({ key: 'version' });
        expect(await store.connections.get(c.id)).toEqual(changed);
        expect(await store.connections.delete(c.id)).toBe(true);
        expect(await store.connections.get(c.id)).toBeNull();
        expect(await store.connections.getByName(c.name)).toBeNull();
        expect(await store.connections.delete(c.id)).toBe(false);
      });

      test('name and id are unique; a conflict writes nothing', async () => {
        const c = connection();
        await store.connections.insert(c);
        const sameName = connection({ name: c.name });
        const err = await store.connections.insert(sameName).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreConflictError);
        expect(err).toMatchObject({ key: 'name' });
        expect(await store.connections.get(sameName.id)).toBeNull();
        const sameId = connection({ id: c.id, enabled_clients: [fresh('client')] });
        await expect(store.connections.insert(sameId)).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.connections.getByName(sameId.name)).toBeNull();
        const sameIdClient = sameId.enabled_clients[0] ?? '';
        expect((await store.connections.list({ enabledClientId: sameIdClient }, { limit: 10 })).items).toEqual([]);
      });

      test('replace refuses to change the name', async () => {
        const c = connection();
        await store.connections.insert(c);
        await expect(store.connections.replace({ ...c, name: fresh('renamed') })).rejects.toThrow(/name/);
        expect(await store.connections.get(c.id)).toEqual(c);
      });

      test('list filters: strategy list, name, enabledClientId (kept in sync by replace and delete)', async () => {
        const [s1, s2, cA, cB] = [fresh('s1'), fresh('s2'), fresh('cA'), fresh('cB')];
        const base = fresh('con');
        const c1 = connection({ id: `${base}-1`, strategy: s1, enabled_clients: [cA] });
        const c2 = connection({ id: `${base}-2`, strategy: s2, enabled_clients: [cA, cB] });
        const c3 = connection({ id: `${base}-3`, strategy: s1, enabled_clients: [] });
        for (const c of [c3, c1, c2]) await store.connections.insert(c);
        const list = async (filter: Parameters<Store['connections']['list']>[0]): Promise<string[]> =>
          (await store.connections.list(filter, { limit: 50 })).items.map((c) => c.id);
        expect(await list({ strategy: [s1] })).toEqual([c1.id, c3.id]);
        expect(await list({ strategy: [s1, s2] })).toEqual([c1.id, c2.id, c3.id]);
        expect(await list({ strategy: [] })).toEqual([]);
        expect(await list({ name: c2.name })).toEqual([c2.id]);
        expect(await list({ enabledClientId: cA })).toEqual([c1.id, c2.id]);
        expect(await list({ enabledClientId: cB })).toEqual([c2.id]);
        expect(await list({ strategy: [s1], enabledClientId: cA })).toEqual([c1.id]);
        const counted = await store.connections.list({ strategy: [s1, s2] }, { limit: 1, offset: 1, includeTotal: true });
        expect(counted).toEqual({ items: [c2], total: 3 });
        expect((await store.connections.list({ strategy: [s1, s2] }, { limit: 5, afterId: c1.id })).items).toEqual([c2, c3]);

        await store.connections.replace({ ...c1, enabled_clients: [cB], version: 2 });
        expect(await list({ enabledClientId: cA })).toEqual([c2.id]);
        expect(await list({ enabledClientId: cB })).toEqual([c1.id, c2.id]);
        await store.connections.delete(c2.id);
        expect(await list({ enabledClientId: cB })).toEqual([c1.id]);
      });

      test('removeClientEverywhere removes the client from every connection and bumps their version', async () => {
        const [cA, cB] = [fresh('cA'), fresh('cB')];
        const c1 = connection({ enabled_clients: [cA, cB] });
        const c2 = connection({ enabled_clients: [cB] });
        const c3 = connection({ enabled_clients: [cA] });
        for (const c of [c1, c2, c3]) await store.connections.insert(c);
        await store.connections.removeClientEverywhere(cB);
        const after1 = await store.connections.get(c1.id);
        expect(after1?.enabled_clients).toEqual([cA]);
        expect(after1?.version).toBeGreaterThan(c1.version);
        expect((await store.connections.get(c2.id))?.enabled_clients).toEqual([]);
        expect(await store.connections.get(c3.id)).toEqual(c3);
        expect((await store.connections.list({ enabledClientId: cB }, { limit: 10 })).items).toEqual([]);
        expect((await store.connections.list({ enabledClientId: cA }, { limit: 10 })).items.length).toBe(2);
        await store.connections.removeClientEverywhere(fresh('nobody'));
      });

      test('checkpoint paging walks every connection once, in id order', async () => {
        await withFreshStore(async (s) => {
          const ids = Array.from({ length: 12 }, (_, i) => `con_${String(i + 1).padStart(2, '0')}`);
          for (const id of [...ids].reverse()) await s.connections.insert(connection({ id }));
          const seen: string[] = [];
          let afterId: string | undefined;
          for (let page = 0; page < 10; page++) {
            const result = await s.connections.list({}, afterId === undefined ? { limit: 5 } : { limit: 5, afterId });
            seen.push(...result.items.map((c) => c.id));
            if (result.items.length < 5) break;
            afterId = result.items.at(-1)?.id;
          }
          expect(seen).toEqual(ids);
          const page = await s.connections.list({}, { limit: 5, offset: 10, includeTotal: true });
          expect(page.items.map((c) => c.id)).toEqual(['con_11', 'con_12']);
          expect(page.total).toBe(12);
        });
      });
    });

    describe('users', () => {
      test('upsertLogin creates the user, then updates it (on_each_login)', async () => {
        const userId = fresh('oauth2|acme');
        const first = login(userId, 'acme', { now: '2025-01-01T00:00:00.000Z' });
        const created = await store.users.upsertLogin(first);
        expect(created.created).toBe(true);
        expect(created.user).toEqual({
          user_id: userId,
          identities: [first.identity],
          email: 'Person@Example.com',
          email_verified: true,
          name: 'First Name',
          picture: 'https://img.test/p.png',
          extra: { locale: 'en' },
          user_metadata: {},
          app_metadata: {},
          created_at: first.now,
          updated_at: first.now,
          last_login: first.now,
          logins_count: 1,
        });
        expect(await store.users.get(userId)).toEqual(created.user);

        const second = login(userId, 'acme', {
          now: '2025-01-02T00:00:00.000Z',
          root: { email: 'person@example.com', name: 'Second Name' },
          extra: { team: 'blue' },
        });
        const updated = await store.users.upsertLogin(second);
        expect(updated.created).toBe(false);
        expect(updated.user).toMatchObject({
          name: 'Second Name',
          email: 'person@example.com',
          extra: { team: 'blue' },
          created_at: first.now,
          updated_at: second.now,
          last_login: second.now,
          logins_count: 2,
        });
        // refreshed root attributes are what the upstream says now: absent ones are dropped
        expect(updated.user.picture).toBeUndefined();
        expect(updated.user.email_verified).toBeUndefined();
        expect(await store.users.get(userId)).toEqual(updated.user);
      });

      test('on_first_login keeps root attributes and extra, still counts and refreshes the identity', async () => {
        const userId = fresh('oauth2|acme');
        await store.users.upsertLogin(login(userId, 'acme', { setRootAttributes: 'on_first_login' }));
        const second = login(userId, 'acme', {
          setRootAttributes: 'on_first_login',
          now: '2025-02-01T00:00:00.000Z',
          root: { name: 'Changed' },
          extra: { changed: true },
          identity: identity('acme', { profileData: { v: 2 }, access_token_enc: 'enc-2' }),
        });
        const { user, created } = await store.users.upsertLogin(second);
        expect(created).toBe(false);
        expect(user).toMatchObject({ name: 'First Name', picture: 'https://img.test/p.png', extra: { locale: 'en' } });
        expect(user).toMatchObject({ logins_count: 2, last_login: second.now });
        expect(user.identities).toEqual([second.identity]);
      });

      test('the identity of a connection is replaced, never duplicated', async () => {
        const userId = fresh('oauth2|acme');
        await store.users.upsertLogin(login(userId, 'acme'));
        const acme2 = identity('acme', { profileData: { round: 2 }, access_token_enc: 'a2' });
        await store.users.upsertLogin(login(userId, 'acme', { identity: acme2 }));
        const other = identity('other');
        await store.users.upsertLogin(login(userId, 'other', { identity: other }));
        const acme3 = identity('acme', { profileData: { round: 3 } });
        const { user } = await store.users.upsertLogin(login(userId, 'acme', { identity: acme3 }));
        expect(user.identities).toEqual([acme3, other]);
        expect(user.logins_count).toBe(4);
      });

      test('20 concurrent first logins of one user create it once with logins_count 20', async () => {
        const userId = fresh('oauth2|acme');
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.users.upsertLogin(login(userId, 'acme'))),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const user = await store.users.get(userId);
        expect(user?.logins_count).toBe(20);
        expect(user?.identities).toHaveLength(1);
      });

      test('updateIdentityTokens replaces the token fields of one identity', async () => {
        const userId = fresh('oauth2|acme');
        const acme = identity('acme', { access_token_enc: 'a1', refresh_token_enc: 'r1', expires_at: '2025-01-01T01:00:00Z' });
        await store.users.upsertLogin(login(userId, 'acme', { identity: acme }));
        const other = identity('other');
        await store.users.upsertLogin(login(userId, 'other', { identity: other }));
        const tokens = { access_token_enc: 'a2', expires_at: '2025-01-01T02:00:00Z' };
        const user = await store.users.updateIdentityTokens(userId, 'acme', tokens);
        const { refresh_token_enc: _dropped, ...acmeWithoutRefresh } = acme;
        expect(user?.identities).toEqual([{ ...acmeWithoutRefresh, ...tokens }, other]);
        expect(await store.users.get(userId)).toEqual(user);
        expect(await store.users.updateIdentityTokens(userId, 'missing', tokens)).toBeNull();
        expect(await store.users.updateIdentityTokens(fresh('nobody'), 'acme', tokens)).toBeNull();
      });

      test('updateIdentityTokens with ifCurrent writes only while the sealed tokens are unchanged', async () => {
        const userId = fresh('oauth2|acme');
        const acme = identity('acme', { access_token_enc: 'a1', refresh_token_enc: 'r1', expires_at: '2025-01-01T01:00:00Z' });
        await store.users.upsertLogin(login(userId, 'acme', { identity: acme }));
        await store.users.upsertLogin(login(userId, 'other', { identity: identity('other', { access_token_enc: 'o1' }) }));
        const resealed = { access_token_enc: 'a1b', refresh_token_enc: 'r1b', expires_at: acme.expires_at! };
        // another writer changed them meanwhile (or a field that is absent is claimed present): nothing is written
        expect(await store.users.updateIdentityTokens(userId, 'acme', resealed, { access_token_enc: 'a0', refresh_token_enc: 'r1' })).toBeNull();
        expect(await store.users.updateIdentityTokens(userId, 'acme', resealed, { access_token_enc: 'a1' })).toBeNull();
        // another identity's tokens do not count
        expect(await store.users.updateIdentityTokens(userId, 'acme', resealed, { access_token_enc: 'o1' })).toBeNull();
        expect((await store.users.get(userId))?.identities[0]).toEqual(acme);
        const user = await store.users.updateIdentityTokens(userId, 'acme', resealed, { access_token_enc: 'a1', refresh_token_enc: 'r1' });
        expect(user?.identities[0]).toEqual({ ...acme, ...resealed });
        // an absent field must be absent
        const other = await store.users.updateIdentityTokens(userId, 'other', { access_token_enc: 'o2' }, { access_token_enc: 'o1' });
        expect(other?.identities[1]).toMatchObject({ access_token_enc: 'o2' });
      });

      test('delete', async () => {
        const userId = fresh('oauth2|acme');
        const connectionName = fresh('conn');
        await store.users.upsertLogin(login(userId, connectionName));
        expect(await store.users.delete(userId)).toBe(true);
        expect(await store.users.get(userId)).toBeNull();
        expect(await store.users.delete(userId)).toBe(false);
        expect((await store.users.list({ connection: connectionName }, { limit: 10 })).items).toEqual([]);
      });

      test('list filters: email (case-insensitive, exact) and connection, with paging', async () => {
        const [connA, connB, tag] = [fresh('connA'), fresh('connB'), fresh('')];
        const email = `Mixed.${tag}@Example.COM`;
        const u1 = `${fresh('u')}-1`;
        const [u2, u3] = [`${u1}-2`, `${u1}-3`];
        await store.users.upsertLogin(login(u1, connA, { root: { email } }));
        await store.users.upsertLogin(login(u2, connA, { root: { email: `other.${tag}@example.com` } }));
        await store.users.upsertLogin(login(u2, connB));
        await store.users.upsertLogin(login(u3, connB, { root: { email: email.toLowerCase() } }));
        const ids = async (filter: Parameters<Store['users']['list']>[0]): Promise<string[]> =>
          (await store.users.list(filter, { limit: 50 })).items.map((u) => u.user_id);
        expect(await ids({ email: email.toLowerCase() })).toEqual([u1, u3]);
        expect(await ids({ email: email.toUpperCase() })).toEqual([u1, u3]);
        expect(await ids({ email: `xed.${tag}@example.com` })).toEqual([]);
        expect(await ids({ connection: connA })).toEqual([u1, u2]);
        expect(await ids({ connection: connB })).toEqual([u2, u3]);
        expect(await ids({ connection: connB, email })).toEqual([u3]);
        const page = await store.users.list({ connection: connB }, { limit: 1, offset: 1, includeTotal: true });
        expect(page.items.map((u) => u.user_id)).toEqual([u3]);
        expect(page.total).toBe(2);
        expect((await store.users.list({ connection: connA }, { limit: 5, afterId: u1 })).items.map((u) => u.user_id)).toEqual([u2]);
      });
    });

    describe('users: identity index, changes, linking', () => {
      /** A user whose main identity is its own (user_id = identityKey of identities[0]), as logins make them. */
      const social = async (s: Store, connectionName: string, over: Partial<LoginUpsert> = {}) => {
        const ident = identity(connectionName);
        return (await s.users.upsertLogin(login(`oauth2|${ident.user_id}`, connectionName, { identity: ident, ...over }))).user;
      };

      test('getByIdentity finds the user holding an identity; a login through it finds that user', async () => {
        const user = await social(store, 'acme');
        expect(await store.users.getByIdentity(user.user_id)).toEqual(user);
        expect(await store.users.getByIdentity(`oauth2|${fresh('none|')}`)).toBeNull();
      });

      test('update merges metadata at the first level, sets blocked and root attributes, keeps the rest', async () => {
        const user = await social(store, 'acme');
        await store.users.update(user.user_id, { user_metadata: { a: 1, nested: { x: 1, y: 2 }, gone: 'soon' }, app_metadata: { plan: 'gold' }, now: T0 });
        const now = '2025-03-01T00:00:00.000Z';
        const updated = await store.users.update(user.user_id, {
          user_metadata: { nested: { z: 3 }, gone: null, b: [1, { c: '$notAnOperator' }] }, blocked: true, root: { name: 'Edited', email: 'New@Example.com' }, now,
        });
        expect(updated).toEqual({ ...user, name: 'Edited', email: 'New@Example.com', blocked: true, updated_at: now,
          user_metadata: { a: 1, nested: { z: 3 }, b: [1, { c: '$notAnOperator' }] }, app_metadata: { plan: 'gold' } });
        expect(await store.users.get(user.user_id)).toEqual(updated);
        expect((await store.users.list({ email: 'new@example.com' }, { limit: 10 })).items.map((u) => u.user_id)).toContain(user.user_id);
        expect(await store.users.update(fresh('nobody'), { blocked: true, now })).toBeNull();
      });

      test('link moves the identities onto the primary and deletes the secondary; logins through them find the primary', async () => {
        const [connA, connB] = [fresh('a'), fresh('b')];
        const primary = await social(store, connA);
        const secondary = await social(store, connB, { extra: { from: 'secondary' } });
        const now = '2025-04-01T00:00:00.000Z';
        const linked = await store.users.link(primary.user_id, secondary.user_id, now);
        expect(linked).toEqual({ ok: true, user: { ...primary, identities: [...primary.identities, ...secondary.identities], updated_at: now } });
        expect(await store.users.get(secondary.user_id)).toBeNull();
        expect((await store.users.getByIdentity(secondary.user_id))?.user_id).toBe(primary.user_id);
        expect((await store.users.list({ connection: connB }, { limit: 10 })).items.map((u) => u.user_id)).toEqual([primary.user_id]);
        // A login through the linked identity updates it on the primary and keeps the primary's profile.
        const relogin = await store.users.upsertLogin(login(secondary.user_id, connB, {
          identity: { ...secondary.identities[0]!, profileData: { round: 2 } }, root: { name: 'Secondary Name' }, now: '2025-04-02T00:00:00.000Z',
        }));
        expect(relogin.created).toBe(false);
        expect(relogin.user).toMatchObject({ user_id: primary.user_id, name: primary.name, logins_count: 2 });
        expect(relogin.user.identities[1]?.profileData).toEqual({ round: 2 });
        expect(await store.users.get(secondary.user_id)).toBeNull();
      });

      test('link refusals write nothing: missing users, a connection already on the primary', async () => {
        const conn = fresh('c');
        const primary = await social(store, conn);
        const sameConnection = await social(store, conn);
        const now = '2025-05-01T00:00:00.000Z';
        expect(await store.users.link(fresh('nobody'), sameConnection.user_id, now)).toEqual({ ok: false, reason: 'user_missing' });
        expect(await store.users.link(primary.user_id, fresh('nobody'), now)).toEqual({ ok: false, reason: 'secondary_missing' });
        expect(await store.users.link(primary.user_id, sameConnection.user_id, now)).toEqual({ ok: false, reason: 'connection_taken' });
        expect(await store.users.get(primary.user_id)).toEqual(primary);
        expect(await store.users.get(sameConnection.user_id)).toEqual(sameConnection);
      });

      test('unlink moves one identity into a user of its own, built from its profile data; the main identity stays', async () => {
        const [connA, connB] = [fresh('a'), fresh('b')];
        const primary = await social(store, connA);
        const secondary = await social(store, connB);
        await store.users.link(primary.user_id, secondary.user_id, T0);
        const now = '2025-06-01T00:00:00.000Z';
        expect(await store.users.unlink(primary.user_id, primary.user_id, now)).toEqual({ ok: false, reason: 'main_identity' });
        expect(await store.users.unlink(primary.user_id, `oauth2|${fresh('x|')}`, now)).toEqual({ ok: false, reason: 'identity_missing' });
        expect(await store.users.unlink(fresh('nobody'), secondary.user_id, now)).toEqual({ ok: false, reason: 'user_missing' });
        const result = await store.users.unlink(primary.user_id, secondary.user_id, now);
        const moved = secondary.identities[0]!;
        expect(result).toEqual({
          ok: true, user: { ...primary, updated_at: now },
          unlinked: { user_id: secondary.user_id, identities: [moved], extra: { handle: '$notAFieldPath', v: 1 }, user_metadata: {}, app_metadata: {},
            created_at: now, updated_at: now, logins_count: 0 },
        });
        expect(await store.users.get(secondary.user_id)).toEqual(result.ok ? result.unlinked : null);
        expect((await store.users.getByIdentity(secondary.user_id))?.user_id).toBe(secondary.user_id);
        expect((await store.users.getByIdentity(primary.user_id))?.identities).toEqual(primary.identities);
      });
    });

    describe('oidc models', () => {
      const future = (): number => Date.now() + 60_000;

      test('upsert, find, replace payload, destroy; keyed by (model, id)', async () => {
        const id = fresh('at');
        const expiresAt = future();
        expect(await store.oidc.find('AccessToken', id)).toBeNull();
        await store.oidc.upsert('AccessToken', id, { accountId: 'u1', scope: 'openid' }, expiresAt);
        expect(await store.oidc.find('AccessToken', id)).toEqual({ payload: { accountId: 'u1', scope: 'openid' }, expiresAt });
        expect(await store.oidc.find('RefreshToken', id)).toBeNull();
        await store.oidc.upsert('AccessToken', id, { accountId: 'u2' }, expiresAt);
        expect((await store.oidc.find('AccessToken', id))?.payload).toEqual({ accountId: 'u2' });
        await store.oidc.destroy('AccessToken', id);
        expect(await store.oidc.find('AccessToken', id)).toBeNull();
        await store.oidc.destroy('AccessToken', id);
      });

      test('writeMany: upserts and destroys of one request, read back as if made one by one', async () => {
        const [session, grant, code, interaction, uid, grantId] = [fresh('sess'), fresh('grant'), fresh('code'), fresh('int'), fresh('uid'), fresh('g')];
        const expiresAt = future();
        await store.oidc.upsert('Interaction', interaction, { returnTo: '/x' }, expiresAt);
        await store.oidc.upsert('AuthorizationCode', code, { grantId }, expiresAt);
        expect(await store.oidc.consume('AuthorizationCode', code)).toBe(true);
        await store.oidc.writeMany([
          { model: 'Session', id: session, payload: { accountId: 'a', v: 1 }, expiresAt, lookup: { uid } },
          { model: 'Grant', id: grant, payload: { accountId: 'a' }, expiresAt },
          { model: 'Session', id: session, payload: { accountId: 'a', v: 2 }, expiresAt, lookup: { uid } },
          { model: 'Interaction', id: interaction, payload: null },
          // A re-save of a consumed code keeps it consumed, as upsert does.
          { model: 'AuthorizationCode', id: code, payload: { grantId, again: true }, expiresAt },
        ]);
        expect(await store.oidc.find('Session', session)).toEqual({ payload: { accountId: 'a', v: 2 }, expiresAt });
        expect((await store.oidc.findByUid('Session', uid))?.payload).toEqual({ accountId: 'a', v: 2 });
        expect(await store.oidc.find('Grant', grant)).toEqual({ payload: { accountId: 'a' }, expiresAt });
        expect(await store.oidc.find('Interaction', interaction)).toBeNull();
        expect(await store.oidc.find('AuthorizationCode', code)).toMatchObject({ payload: { grantId, again: true }, consumed: expect.any(Number) });
        expect(await store.oidc.consume('AuthorizationCode', code)).toBe(false);
        // A destroyed id can be written again, as a new record; a destroy then an upsert leaves the upsert.
        await store.oidc.writeMany([{ model: 'Interaction', id: interaction, payload: { returnTo: '/y' }, expiresAt }]);
        expect((await store.oidc.find('Interaction', interaction))?.payload).toEqual({ returnTo: '/y' });
        await store.oidc.writeMany([{ model: 'Grant', id: grant, payload: null }, { model: 'Grant', id: grant, payload: { accountId: 'b' }, expiresAt }]);
        expect((await store.oidc.find('Grant', grant))?.payload).toEqual({ accountId: 'b' });
        await store.oidc.revokeByGrantId(grantId);
        expect(await store.oidc.find('AuthorizationCode', code)).toBeNull();
        await store.oidc.writeMany([]);
      });

      test('a record without expiresAt does not expire', async () => {
        const id = fresh('client');
        await store.oidc.upsert('Client', id, { client_id: id });
        expect(await store.oidc.find('Client', id)).toEqual({ payload: { client_id: id } });
      });

      test('findByUid and findByUserCode', async () => {
        const [uid, userCode] = [fresh('uid'), fresh('UC')];
        await store.oidc.upsert('Session', fresh('sess'), { accountId: 'a' }, future(), { uid });
        await store.oidc.upsert('DeviceCode', fresh('dc'), { userCode, grantId: fresh('g') }, future(), { userCode });
        expect((await store.oidc.findByUid('Session', uid))?.payload).toEqual({ accountId: 'a' });
        expect(await store.oidc.findByUid('Interaction', uid)).toBeNull();
        expect(await store.oidc.findByUid('Session', fresh('uid'))).toBeNull();
        expect((await store.oidc.findByUserCode('DeviceCode', userCode))?.payload).toMatchObject({ userCode });
        expect(await store.oidc.findByUserCode('DeviceCode', fresh('UC'))).toBeNull();
      });

      test('lookup keys come only from the caller: a payload uid is not indexed, a re-save replaces the keys', async () => {
        const [id, uid, hashed, next] = [fresh('sess'), fresh('uid'), fresh('h'), fresh('h')];
        await store.oidc.upsert('Session', id, { uid }, future(), { uid: hashed });
        expect(await store.oidc.findByUid('Session', uid)).toBeNull();
        expect((await store.oidc.findByUid('Session', hashed))?.payload).toEqual({ uid });
        await store.oidc.upsert('Session', id, { uid }, future(), { uid: next });
        expect(await store.oidc.findByUid('Session', hashed)).toBeNull();
        expect(await store.oidc.findByUid('Session', next)).not.toBeNull();
        await store.oidc.upsert('Session', id, { uid }, future());
        expect(await store.oidc.findByUid('Session', next)).toBeNull();
      });

      test('revokeByGrantId deletes every model with that grantId, nothing else', async () => {
        const [grantId, otherGrant] = [fresh('grant'), fresh('grant')];
        const ids = { code: fresh('code'), at: fresh('at'), rt: fresh('rt'), keep: fresh('at') };
        await store.oidc.upsert('AuthorizationCode', ids.code, { grantId }, future());
        await store.oidc.upsert('AccessToken', ids.at, { grantId }, future());
        await store.oidc.upsert('RefreshToken', ids.rt, { grantId });
        await store.oidc.upsert('AccessToken', ids.keep, { grantId: otherGrant }, future());
        await store.oidc.revokeByGrantId(grantId);
        expect(await store.oidc.find('AuthorizationCode', ids.code)).toBeNull();
        expect(await store.oidc.find('AccessToken', ids.at)).toBeNull();
        expect(await store.oidc.find('RefreshToken', ids.rt)).toBeNull();
        expect((await store.oidc.find('AccessToken', ids.keep))?.payload).toEqual({ grantId: otherGrant });
      });

      test('revokeByAccountId deletes the sessions, grants and tokens of one account, nothing else', async () => {
        const [accountId, other] = [fresh('acct'), fresh('acct')];
        const ids = { session: fresh('sess'), grant: fresh('grant'), rt: fresh('rt'), keep: fresh('sess') };
        await store.oidc.upsert('Session', ids.session, { accountId }, future(), { uid: fresh('uid') });
        await store.oidc.upsert('Grant', ids.grant, { accountId }, future());
        await store.oidc.upsert('RefreshToken', ids.rt, { accountId, grantId: ids.grant });
        await store.oidc.upsert('Session', ids.keep, { accountId: other }, future());
        await store.oidc.revokeByAccountId(accountId);
        expect(await store.oidc.find('Session', ids.session)).toBeNull();
        expect(await store.oidc.find('Grant', ids.grant)).toBeNull();
        expect(await store.oidc.find('RefreshToken', ids.rt)).toBeNull();
        expect((await store.oidc.find('Session', ids.keep))?.payload).toEqual({ accountId: other });
      });

      test('expired records are never returned, and purgeExpired keeps live ones', async () => {
        const [id, uid, userCode] = [fresh('sess'), fresh('uid'), fresh('UC')];
        await store.oidc.upsert('Session', id, {}, Date.now() - 1000, { uid, userCode });
        expect(await store.oidc.find('Session', id)).toBeNull();
        expect(await store.oidc.findByUid('Session', uid)).toBeNull();
        expect(await store.oidc.findByUserCode('Session', userCode)).toBeNull();
        expect(await store.oidc.consume('Session', id)).toBe(false);

        const short = fresh('code');
        await store.oidc.upsert('AuthorizationCode', short, { n: 1 }, Date.now() + 150);
        expect(await store.oidc.find('AuthorizationCode', short)).not.toBeNull();
        await new Promise((resolve) => setTimeout(resolve, 250));
        expect(await store.oidc.find('AuthorizationCode', short)).toBeNull();

        const keep = fresh('at');
        await store.oidc.upsert('AccessToken', keep, { n: 2 }, future());
        await store.purgeExpired();
        expect(await store.oidc.find('AccessToken', keep)).not.toBeNull();
        expect(await store.oidc.find('Session', id)).toBeNull();
      });

      test('consume marks once; a re-save keeps the mark', async () => {
        const id = fresh('code');
        await store.oidc.upsert('AuthorizationCode', id, { grantId: 'g' }, future());
        const before = Math.floor(Date.now() / 1000);
        expect(await store.oidc.consume('AuthorizationCode', id)).toBe(true);
        const found = await store.oidc.find('AuthorizationCode', id);
        expect(found?.consumed).toBeGreaterThanOrEqual(before);
        expect(found?.consumed).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
        expect(await store.oidc.consume('AuthorizationCode', id)).toBe(false);
        expect(await store.oidc.consume('AuthorizationCode', fresh('missing'))).toBe(false);
        // a consumed code must never become redeemable again by being saved once more
        await store.oidc.upsert('AuthorizationCode', id, { grantId: 'g', again: true }, future());
        expect((await store.oidc.find('AuthorizationCode', id))?.consumed).toBe(found?.consumed);
      });

      test('20 concurrent consumes of one record: exactly one wins', async () => {
        const id = fresh('code');
        await store.oidc.upsert('AuthorizationCode', id, { n: 1 }, future());
        const results = await Promise.all(Array.from({ length: 20 }, () => store.oidc.consume('AuthorizationCode', id)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('transactions', () => {
      test('put then take returns it once', async () => {
        const t = tx();
        await store.transactions.put(t);
        expect(await store.transactions.take(t.id)).toEqual(t);
        expect(await store.transactions.take(t.id)).toBeNull();
        expect(await store.transactions.take(fresh('state'))).toBeNull();
      });

      test('an expired transaction is never returned; purgeExpired keeps live ones', async () => {
        const expired = tx({ expiresAt: Date.now() - 1000 });
        const live = tx();
        await store.transactions.put(expired);
        await store.transactions.put(live);
        await store.purgeExpired();
        expect(await store.transactions.take(expired.id)).toBeNull();
        expect(await store.transactions.take(live.id)).toEqual(live);
      });

      test('20 concurrent takes: exactly one gets it', async () => {
        const t = tx();
        await store.transactions.put(t);
        const results = await Promise.all(Array.from({ length: 20 }, () => store.transactions.take(t.id)));
        expect(results.filter((r) => r !== null)).toEqual([t]);
      });

      test('deleteByConnection deletes only that connection', async () => {
        const [a, b] = [fresh('con'), fresh('con')];
        const [a1, a2, b1] = [tx({ connection_id: a }), tx({ connection_id: a }), tx({ connection_id: b })];
        for (const t of [a1, a2, b1]) await store.transactions.put(t);
        await store.transactions.deleteByConnection(a);
        expect(await store.transactions.take(a1.id)).toBeNull();
        expect(await store.transactions.take(a2.id)).toBeNull();
        expect(await store.transactions.take(b1.id)).toEqual(b1);
      });
    });

    describe('token blacklist', () => {
      test('add, has, idempotent re-add keeps the later expiry; other aud or jti is not revoked', async () => {
        const [aud, jti] = [fresh('https://api.test/'), fresh('jti')];
        expect(await store.blacklists.has(aud, jti)).toBe(false);
        await store.blacklists.add({ aud, jti }, Date.now() + 60_000);
        expect(await store.blacklists.has(aud, jti)).toBe(true);
        expect(await store.blacklists.has(fresh('https://api.test/'), jti)).toBe(false);
        expect(await store.blacklists.has(aud, fresh('jti'))).toBe(false);
        // a second add with an earlier expiry must not shorten the revocation
        await store.blacklists.add({ aud, jti }, Date.now() - 1000);
        expect(await store.blacklists.has(aud, jti)).toBe(true);
        expect((await store.blacklists.list({ aud }, { limit: 10 })).items).toEqual([{ aud, jti }]);
      });

      test('an expired entry is neither revoked nor listed; purgeExpired keeps live ones', async () => {
        const aud = fresh('https://api.test/');
        const [gone, live] = [fresh('jti'), fresh('jti')];
        await store.blacklists.add({ aud, jti: gone }, Date.now() + 150);
        await store.blacklists.add({ aud, jti: live }, Date.now() + 60_000);
        await new Promise((resolve) => setTimeout(resolve, 250));
        expect(await store.blacklists.has(aud, gone)).toBe(false);
        await store.purgeExpired();
        expect(await store.blacklists.has(aud, live)).toBe(true);
        expect((await store.blacklists.list({ aud }, { limit: 10, includeTotal: true }))).toEqual({ items: [{ aud, jti: live }], total: 1 });
      });

      test('list filters by aud and pages in (aud, jti) order', async () => {
        await withFreshStore(async (s) => {
          const later = Date.now() + 60_000;
          for (const [aud, jti] of [['https://b.test/', 'j2'], ['https://a.test/', 'j9'], ['https://b.test/', 'j1'], ['https://a.test/', 'j3']] as const) {
            await s.blacklists.add({ aud, jti }, later);
          }
          const all = await s.blacklists.list({}, { limit: 10, includeTotal: true });
          expect(all.items.map((e) => `${e.aud} ${e.jti}`)).toEqual(['https://a.test/ j3', 'https://a.test/ j9', 'https://b.test/ j1', 'https://b.test/ j2']);
          expect(all.total).toBe(4);
          expect((await s.blacklists.list({ aud: 'https://b.test/' }, { limit: 1, offset: 1 })).items).toEqual([{ aud: 'https://b.test/', jti: 'j2' }]);
        });
      });
    });

    describe('signing keys', () => {
      test('compareAndSet: first write, successors, stale versions lose', async () => {
        await withFreshStore(async (s) => {
          expect(await s.keys.get()).toBeNull();
          const v1 = keySet(1, 'k1');
          expect(await s.keys.compareAndSet(null, v1)).toBe(true);
          expect(await s.keys.get()).toEqual(v1);
          expect(await s.keys.compareAndSet(null, keySet(1, 'late'))).toBe(false);
          const v2 = keySet(2, 'k2');
          expect(await s.keys.compareAndSet(1, v2)).toBe(true);
          expect(await s.keys.compareAndSet(1, keySet(2, 'stale'))).toBe(false);
          expect(await s.keys.get()).toEqual(v2);
          await expect(s.keys.compareAndSet(2, keySet(4, 'skip'))).rejects.toThrow(/version/);
          const racers = await Promise.all(Array.from({ length: 10 }, (_, i) => s.keys.compareAndSet(2, keySet(3, `r${i}`))));
          expect(racers.filter(Boolean)).toHaveLength(1);
          expect((await s.keys.get())?.version).toBe(3);
        });
      });

      test('the id hash key is stored with the set, replaced with it and kept through a successor', async () => {
        await withFreshStore(async (s) => {
          const v1 = { ...keySet(1, 'k1'), stable_key_enc: 'enc2.sealed-one' };
          expect(await s.keys.compareAndSet(null, v1)).toBe(true);
          expect(await s.keys.get()).toEqual(v1);
          const v2 = { ...keySet(2, 'k2'), stable_key_enc: 'enc2.sealed-again' };
          expect(await s.keys.compareAndSet(1, v2)).toBe(true);
          expect(await s.keys.get()).toEqual(v2);
          expect(await s.keys.compareAndSet(2, keySet(3, 'k3'))).toBe(true);
          expect(await s.keys.get()).toEqual(keySet(3, 'k3'));
        });
      });
    });

    describeLogConformance(withFreshStore);
    describeVersionConformance(withFreshStore);

    if (options.windowCounters === false) {
      test('opts out of window counters: windowCounter is absent, so the rate limits count elsewhere', () => {
        expect(store.windowCounter).toBeUndefined();
      });
    } else describeWindowCounterConformance(() => store);

    describe('lifecycle', () => {
      test('ping resolves while open and rejects after close', async () => {
        const s = await open();
        await expect(s.ping()).resolves.toBeUndefined();
        await s.close();
        await expect(s.ping()).rejects.toThrow();
      });
    });
  });
}

// ---------------------------------------------------------------- record factories

/** A unique id with a readable prefix. */
function fresh(prefix: string): string {
  return `${prefix}${randomUUID().replaceAll('-', '')}`;
}

const T0 = '2025-01-01T00:00:00.000Z';

function client(over: Partial<ClientRecord> = {}): ClientRecord {
  return {
    client_id: fresh('cli'),
    name: 'App',
    description: 'an app',
    app_type: 'regular_web',
    is_first_party: true,
    callbacks: ['https://app.test/cb'],
    allowed_logout_urls: [],
    allowed_origins: [],
    web_origins: [],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_post',
    require_pkce: true,
    client_secret_enc: 'v1:enc',
    client_metadata: {},
    version: 1,
    created_at: T0,
    updated_at: T0,
    ...over,
  };
}

function grant(over: Partial<ClientGrantRecord> = {}): ClientGrantRecord {
  return { id: fresh('cgr_'), client_id: fresh('cli'), audience: fresh('https://api.test/'), scope: ['read:users'], created_at: T0, updated_at: T0, ...over };
}

function connection(over: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    id: fresh('con_'),
    name: fresh('conn-'),
    display_name: 'Acme',
    strategy: 'oauth2',
    options: { client_id: 'up', client_secret_enc: 'v1:enc', scope: ['openid', 'email'], looksLikeAnOperator: '$where' },
    enabled_clients: [],
    realms: [],
    is_domain_connection: false,
    show_as_button: true,
    metadata: {},
    version: 1,
    created_at: T0,
    updated_at: T0,
    ...over,
  };
}

/** An identity in Auth0's shape (`<connection>|<upstream id>`); a fresh upstream id unless given. */
function identity(connectionName: string, over: Partial<IdentityRecord> = {}): IdentityRecord {
  return { provider: 'oauth2', connection: connectionName, user_id: `${connectionName}|${fresh('up-')}`, isSocial: true,
    profileData: { v: 1, handle: '$notAFieldPath' }, ...over };
}

function login(userId: string, connectionName: string, over: Partial<LoginUpsert> = {}): LoginUpsert {
  return {
    user_id: userId,
    // One identity per (user, connection), the same on every call: repeated logins find it.
    identity: identity(connectionName, { user_id: `${connectionName}|${userId}` }),
    root: { email: 'Person@Example.com', email_verified: true, name: 'First Name', picture: 'https://img.test/p.png' },
    extra: { locale: 'en' },
    setRootAttributes: 'on_each_login',
    now: T0,
    ...over,
  };
}

function tx(over: Partial<TransactionRecord> = {}): TransactionRecord {
  return { id: fresh('state'), connection_id: fresh('con_'), payload: { nonce: 'n', pkce: 'v' }, expiresAt: Date.now() + 60_000, ...over };
}

function keySet(version: number, kid: string): KeySet {
  return { version, keys: [{ kid, alg: 'RS256', status: 'current', jwk_enc: 'v1:enc', created_at: T0 }] };
}
