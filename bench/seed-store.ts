import { randomBytes } from 'node:crypto';
import { SqliteDb } from '../src/store/sqlite/db.ts';
import { ACTIVE_CONNECTIONS } from './lib/fixtures.ts';

/**
 * The "full store" of the bench: a copy of the run's store as it was registered, plus a
 * million tenant-log events written straight into the file (one transaction, one prepared
 * statement: the Management API or the log writer would take minutes), next to the copy
 * left as it was (the "empty store" it is compared with).
 */

/** One `s` event per row of a counting CTE, one every 40 ms up to now (about 11 hours for a million), ids growing like the writer's. */
const SEED_SQL = `
WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < :count),
rows AS (SELECT i, :now - (:count - i) * 40 AS ms, 'bench-' || (i % :connections) AS connection, i % :users AS u FROM seq),
events AS (SELECT i, ms, connection, u, '90' || printf('%014d%06d', ms, i % 1000000) || :salt || printf('%06d', i) AS log_id,
  strftime('%Y-%m-%dT%H:%M:%fZ', ms / 1000.0, 'unixepoch') AS date, 'oauth2|' || connection || '|u' || u AS user_id FROM rows)
INSERT INTO logs (log_id, date, type, user_id, client_id, connection, doc)
SELECT log_id, date, 's', user_id, :clientId, connection, json_object('log_id', log_id, 'date', date, 'type', 's', 'description', 'Success Login',
  'client_id', :clientId, 'client_name', 'Bench App', 'connection', connection, 'connection_id', 'con_bench' || (i % :connections), 'user_id', user_id,
  'user_name', 'user' || u || '@bench.example', 'ip', '127.0.0.1', 'user_agent', 'bench-driver',
  'details', json_object('prompts', json_array(), 'initiatedAt', ms - 30, 'completedAt', ms, 'elapsedTime', 30))
FROM events`;

/** Copies the store file `from` (a running server may hold it; WAL) to `to`, consistent and compact; `to` is not opened by anyone until seeded. */
export function snapshotStore(from: string, to: string): void {
  const db = new SqliteDb(from);
  try {
    db.raw.exec(`VACUUM INTO '${to.replaceAll("'", "''")}'`);
  } finally {
    db.close();
  }
}

/**
 * Writes into `file` (a snapshot no process has open) `count` successful-login events (`s`, shaped as the writer stores them: a bench
 * client, connection and user each) dated over the last hours, so the retention purge keeps
 * them all; resolves the seconds it took.
 */
export function seedLogEvents(file: string, count: number, clientId: string, users: number): number {
  const started = performance.now();
  const db = new SqliteDb(file);
  try {
    // The table's secondary indexes are built once at the end (one sort) instead of grown a row at a time.
    const indexes = db.raw.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'logs' AND sql IS NOT NULL").all()
      .map((row) => ({ name: String(row['name']), sql: String(row['sql']) }));
    // Nothing else has this copy open: its rows are written once, straight into the file, without a journal.
    db.raw.exec('PRAGMA journal_mode = OFF');
    db.raw.exec('PRAGMA synchronous = OFF');
    db.raw.exec('PRAGMA cache_size = -262144');
    db.raw.exec('BEGIN IMMEDIATE');
    try {
      for (const index of indexes) db.raw.exec(`DROP INDEX ${index.name}`);
      // Rows made by SQLite itself (a counting CTE): a million JSON documents without a million round trips through JS.
      db.raw.prepare(SEED_SQL).run({
        count: BigInt(count), now: BigInt(Date.now()), salt: randomBytes(4).toString('hex'), clientId, users: BigInt(users), connections: BigInt(ACTIVE_CONNECTIONS),
      });
      for (const index of indexes) db.raw.exec(index.sql);
      db.raw.exec('COMMIT');
    } catch (err) {
      if (db.raw.isTransaction) db.raw.exec('ROLLBACK');
      throw err;
    }
    db.raw.exec('PRAGMA journal_mode = WAL'); // back to what the server expects
  } finally {
    db.close();
  }
  return (performance.now() - started) / 1000;
}
