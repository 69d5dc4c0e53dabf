import type { ListOptions, ListResult, Store } from '../../src/store/types.ts';

/**
 * A cheap fingerprint of everything the Management API can change: every record's id with
 * its version (or last-update time), per collection. Two equal fingerprints mean no record
 * was added, removed or changed in between.
 */
export async function storeSnapshot(store: Store): Promise<string> {
  const all = async <T>(page: (o: ListOptions) => Promise<ListResult<T>>, key: (item: T) => string): Promise<string> => {
    const out: string[] = [];
    for (let offset = 0; ; offset += 100) {
      const { items } = await page({ limit: 100, offset });
      out.push(...items.map(key));
      if (items.length < 100) return out.sort().join(',');
    }
  };
  const parts = await Promise.all([
    all((o) => store.clients.list(o), (c) => `${c.client_id}@${c.version}`),
    all((o) => store.clientGrants.list({}, o), (g) => `${g.id}@${g.updated_at}:${g.scope.join(' ')}`),
    all((o) => store.connections.list({}, o), (c) => `${c.id}@${c.version}`),
    all((o) => store.users.list({}, o), (u) => `${u.user_id}@${u.updated_at}:${u.logins_count}`),
  ]);
  return `clients[${parts[0]}] grants[${parts[1]}] connections[${parts[2]}] users[${parts[3]}]`;
}

type Repo = Record<string, unknown>;

/** Write methods of the Store's repositories (everything that is not a read). */
const READS = /^(get|getByName|find|findByUid|findByUserCode|list|ping)$/;

/**
 * Makes every Management-side write of `store` (not oidc-provider's own, so tokens keep working) throw `error` (a failing disk, a lost connection) until the
 * returned function is called; reads keep working, so a test can see what was (not) written.
 */
export function failWrites(store: Store, error: () => Error): () => void {
  const restore: (() => void)[] = [];
  for (const repoName of ['clients', 'clientGrants', 'connections', 'users', 'transactions'] as const) {
    const repo = store[repoName] as unknown as Repo;
    for (const [name, fn] of Object.entries(repo)) {
      if (typeof fn !== 'function' || READS.test(name)) continue;
      repo[name] = () => Promise.reject(error());
      restore.push(() => {
        repo[name] = fn;
      });
    }
  }
  return () => restore.forEach((undo) => undo());
}
