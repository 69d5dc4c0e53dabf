import type { Store } from '../types.ts';
import { sqliteClientGrants, sqliteClients } from './clients.ts';
import { sqliteConnections } from './connections.ts';
import { SqliteDb } from './db.ts';
import { sqliteKeys } from './keys.ts';
import { sqliteOidc } from './oidc.ts';
import { sqliteTransactions } from './transactions.ts';
import { sqliteUsers } from './users.ts';

export interface SqliteStoreOptions {
  /** Path of the database file, or ':memory:' (one process, gone on close). */
  file: string;
}

/**
 * The embedded store on node:sqlite. Calls are synchronous underneath (the promises are
 * already settled); a write may block the event loop up to busy_timeout (5 s) while
 * another process holds the write lock.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const db = new SqliteDb(options.file);
  return {
    kind: 'sqlite',
    clients: sqliteClients(db),
    clientGrants: sqliteClientGrants(db),
    connections: sqliteConnections(db),
    users: sqliteUsers(db),
    oidc: sqliteOidc(db),
    keys: sqliteKeys(db),
    transactions: sqliteTransactions(db),
    async ping() {
      db.stmt('SELECT 1').get();
    },
    async purgeExpired() {
      const now = Date.now();
      db.tx(() => {
        db.stmt('DELETE FROM oidc WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now);
        db.stmt('DELETE FROM transactions WHERE expires_at <= ?').run(now);
      });
    },
    async close() {
      db.close();
    },
  };
}
