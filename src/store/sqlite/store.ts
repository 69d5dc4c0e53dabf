import { LocalWrites } from '../local-writes.ts';
import type { Store, StoreMetrics } from '../types.ts';
import { sqliteBlacklists } from './blacklists.ts';
import { sqliteClientGrants, sqliteClients } from './clients.ts';
import { sqliteConnections } from './connections.ts';
import { SqliteDb } from './db.ts';
import { retryingBusy, whenFree } from './busy.ts';
import { sqliteKeys } from './keys.ts';
import { sqliteLogs } from './logs.ts';
import { sqliteOidc } from './oidc.ts';
import { sqliteTransactions } from './transactions.ts';
import { sqliteUsers } from './users.ts';
import { sqliteVersions } from './versions.ts';

export interface SqliteStoreOptions {
  /** Path of the database file, or ':memory:' (one process, gone on close). */
  file: string;
  /** Counts every executed statement. */
  metrics?: StoreMetrics;
}

/**
 * The embedded store on node:sqlite. Calls are synchronous underneath; a write that finds
 * another process holding the write lock is retried asynchronously (busy.ts), so the
 * event loop never sleeps on the lock.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const db = new SqliteDb(options.file, options.metrics);
  // The versions table moves by triggers; this only tells this process's caches at once.
  const local = new LocalWrites();
  return {
    kind: 'sqlite',
    clients: local.track(retryingBusy(sqliteClients(db)), ['get', 'list']),
    clientGrants: local.track(retryingBusy(sqliteClientGrants(db)), ['get', 'find', 'list']),
    connections: local.track(retryingBusy(sqliteConnections(db)), ['get', 'getByName', 'list']),
    users: retryingBusy(sqliteUsers(db)),
    oidc: retryingBusy(sqliteOidc(db)),
    keys: local.track(retryingBusy(sqliteKeys(db)), ['get']),
    transactions: retryingBusy(sqliteTransactions(db)),
    logs: retryingBusy(sqliteLogs(db)),
    blacklists: retryingBusy(sqliteBlacklists(db)),
    versions: sqliteVersions(db, local),
    async ping() {
      db.stmt('SELECT 1').get();
    },
    purgeExpired: () => whenFree(() => {
      const now = Date.now();
      db.tx(() => {
        db.stmt('DELETE FROM oidc WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now);
        db.stmt('DELETE FROM transactions WHERE expires_at <= ?').run(now);
        db.stmt('DELETE FROM token_blacklist WHERE expires_at <= ?').run(now);
      });
    }),
    async close() {
      db.close();
    },
  };
}
