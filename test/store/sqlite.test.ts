import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/open.ts';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema.ts';
import type { ClientRecord } from '../../src/store/types.ts';
import { VersionWatch } from '../../src/store/versions.ts';
import { describeStoreConformance } from './conformance.ts';

const dir = mkdtempSync(join(tmpdir(), 'brokerid-store-'));
let files = 0;
const newFile = (): string => join(dir, `store-${++files}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// No window counters: one file serves one machine, whose WORKERS count through the cluster primary (src/limits).
describeStoreConformance('sqlite', () => openStore({ kind: 'sqlite', file: newFile() }), { windowCounters: false });

const worker = fileURLToPath(new URL('./sqlite-worker.ts', import.meta.url));
const run = promisify(execFile);

/** Runs the worker in its own OS process and parses the JSON line it prints. */
async function inProcess(file: string, ...args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, ['--no-warnings', worker, file, ...args], { timeout: 30_000 });
  return JSON.parse(stdout.trim());
}

describe('sqlite specifics', () => {
  test(':memory: works for a single process', async () => {
    const store = await openStore({ kind: 'sqlite', file: ':memory:' });
    await store.transactions.put({ id: 's1', connection_id: 'c', payload: {}, expiresAt: Date.now() + 10_000 });
    expect(await store.transactions.take('s1')).toMatchObject({ id: 's1' });
    await store.close();
  });

  test('reopening a file keeps the data; the schema is versioned and in WAL mode', async () => {
    const file = newFile();
    const first = await openStore({ kind: 'sqlite', file });
    await first.oidc.upsert('Client', 'c1', { client_id: 'c1' });
    await first.close();
    const second = await openStore({ kind: 'sqlite', file });
    expect(await second.oidc.find('Client', 'c1')).toEqual({ payload: { client_id: 'c1' } });
    await second.close();
    const raw = new DatabaseSync(file);
    expect(raw.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
    expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    raw.close();
  });

  test('two OS processes on one file see each other’s writes', async () => {
    const file = newFile();
    const parent = await openStore({ kind: 'sqlite', file });
    const [pidA, pidB] = [
      await inProcess(file, 'put-connection', 'con_a', 'from-a'),
      await inProcess(file, 'put-connection', 'con_b', 'from-b'),
    ];
    expect(pidA).toMatchObject({ ok: true });
    expect(pidB).toMatchObject({ ok: true });
    expect(await inProcess(file, 'get-connection', 'from-a')).toMatchObject({ id: 'con_a' });
    expect(await inProcess(file, 'get-connection', 'from-b')).toMatchObject({ id: 'con_b' });
    expect(await parent.connections.getByName('from-b')).toMatchObject({ id: 'con_b' });
    await parent.connections.insert({ ...(await parent.connections.get('con_a'))!, id: 'con_p', name: 'from-parent' });
    expect(await inProcess(file, 'get-connection', 'from-parent')).toMatchObject({ id: 'con_p' });
    await parent.close();
  });

  test('a version-checked cache sees a change made by another OS process once maxAgeMs has passed, not before', async () => {
    const file = newFile();
    const store = await openStore({ kind: 'sqlite', file });
    const now = new Date().toISOString();
    const client: ClientRecord = {
      client_id: 'cli_cached', name: 'before', app_type: 'regular_web', is_first_party: true, callbacks: [], allowed_logout_urls: [],
      allowed_origins: [], web_origins: [], grant_types: [], token_endpoint_auth_method: 'none', require_pkce: true,
      client_metadata: {}, version: 1, created_at: now, updated_at: now,
    };
    await store.clients.insert(client);
    let clock = 0;
    const cache = new VersionWatch(store.versions, { maxAgeMs: 1000, maxEntryAgeMs: 60_000, now: () => clock })
      .cache<ClientRecord | null>('clients', 10);
    const load = () => store.clients.get(client.client_id);
    expect(await cache.get(client.client_id, load)).toMatchObject({ name: 'before' });
    expect(await inProcess(file, 'rename-client', client.client_id, 'after')).toMatchObject({ ok: true });
    // Within maxAgeMs of the last versions read: the entry is served without asking the file.
    clock = 1000;
    expect(await cache.get(client.client_id, load)).toMatchObject({ name: 'before' });
    // Past it: the versions are read again, the change is seen.
    clock = 1001;
    expect(await cache.get(client.client_id, load)).toMatchObject({ name: 'after' });
    await store.close();
  });

  test('concurrent consume, take and first logins across 2 processes: exactly one winner each', async () => {
    const file = newFile();
    const store = await openStore({ kind: 'sqlite', file });
    const count = 150;
    for (let i = 0; i < count; i++) {
      await store.oidc.upsert('AuthorizationCode', `code-${i}`, { i }, Date.now() + 120_000);
      await store.transactions.put({ id: `tx-${i}`, connection_id: 'c', payload: { i }, expiresAt: Date.now() + 120_000 });
    }
    const startAt = String(Date.now() + 1500);
    const results = (await Promise.all([
      inProcess(file, 'race', startAt, String(count), 'oauth2|acme|1'),
      inProcess(file, 'race', startAt, String(count), 'oauth2|acme|1'),
    ])) as { consumed: string[]; taken: string[]; created: number; pid: number }[];
    const [a, b] = results;
    if (!a || !b) throw new Error('a worker printed nothing');
    expect(a.pid).not.toBe(b.pid);
    const all = (prefix: string): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`).sort();
    expect([...a.consumed, ...b.consumed].sort()).toEqual(all('code'));
    expect([...a.taken, ...b.taken].sort()).toEqual(all('tx'));
    expect(a.created + b.created).toBe(1);
    const user = await store.users.get('oauth2|acme|1');
    expect(user?.logins_count).toBe(2 * count);
    expect(user?.identities).toHaveLength(1);
    for (let i = 0; i < count; i += 37) {
      expect((await store.oidc.find('AuthorizationCode', `code-${i}`))?.consumed).toEqual(expect.any(Number));
    }
    await store.close();
  }, 60_000);
});
