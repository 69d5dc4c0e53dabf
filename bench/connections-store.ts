import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteConnections } from '../src/store/sqlite/connections.ts';
import { SqliteDb } from '../src/store/sqlite/db.ts';
import { seedConnections } from './seed.ts';

/**
 * `node bench/connections-store.ts`: CPU per call of the connection lookups a login makes
 * (by name at /authorize and the login start, by id at the callback) and of the login page's
 * list (the buttons of an app, a page of 100), with 10 and with 10,000 connections stored,
 * each enabled for the app (what bench/seed.ts writes for the scale step).
 */

const key = randomBytes(32).toString('base64');

/** Mean CPU microseconds per call of `fn` over `n` calls. */
async function cpuUs(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn(i);
  const d = process.cpuUsage(t);
  return (d.user + d.system) / n;
}

for (const n of [10, 10_000]) {
  const dir = mkdtempSync(join(tmpdir(), 'brokerid-connections-store-'));
  const file = join(dir, 'store.sqlite');
  new SqliteDb(file).close();
  await seedConnections(file, key, 'http://127.0.0.1:1', 'app', 0, n);
  const db = new SqliteDb(file);
  const repo = sqliteConnections(db);
  const ids = await Promise.all(Array.from({ length: 10 }, async (_, i) => (await repo.getByName(`seed-${i}`))!.id));
  for (let round = 0; round < 3; round++) {
    const byName = await cpuUs(20_000, (i) => repo.getByName(`seed-${i % 10}`));
    const byId = await cpuUs(20_000, (i) => repo.get(ids[i % 10]!));
    const page = await cpuUs(200, () => repo.list({ enabledClientId: 'app', strategy: ['oauth2'] }, { limit: 100 }));
    process.stdout.write(`${n} connections: getByName ${byName.toFixed(2)} µs, get ${byId.toFixed(2)} µs, login page list (100 of the app's) ${page.toFixed(0)} µs\n`);
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
