import type { TransactionRepo } from '../types.ts';
import { doc, num, text } from './db.ts';
import type { SqliteDb } from './db.ts';

/** Login transactions on sqlite, keyed by the upstream `state`. */
export function sqliteTransactions(db: SqliteDb): TransactionRepo {
  return {
    async put(tx) {
      db.stmt(
        `INSERT INTO transactions (id, connection_id, doc, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET connection_id = excluded.connection_id,
           doc = excluded.doc, expires_at = excluded.expires_at`,
      ).run(tx.id, tx.connection_id, JSON.stringify(tx.payload), tx.expiresAt);
    },
    async take(id) {
      // DELETE ... RETURNING is one statement: of concurrent takers (in any process) only
      // one deletes the row and gets it back. An expired row is deleted and not returned.
      const row = db.stmt('DELETE FROM transactions WHERE id = ? RETURNING connection_id, doc, expires_at').get(id);
      if (!row) return null;
      const expiresAt = num(row, 'expires_at') ?? 0;
      if (expiresAt <= Date.now()) return null;
      return { id, connection_id: text(row, 'connection_id'), payload: doc<Record<string, unknown>>(row), expiresAt };
    },
    async deleteByConnection(connectionId) {
      db.stmt('DELETE FROM transactions WHERE connection_id = ?').run(connectionId);
    },
  };
}
