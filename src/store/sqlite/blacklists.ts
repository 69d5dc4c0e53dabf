import type { BlacklistEntry, BlacklistRepo } from '../types.ts';
import type { SqliteDb } from './db.ts';
import { listPage } from './list.ts';

/** The row key: aud and jti joined by a newline (neither holds one), so ORDER BY id is (aud, jti). */
export const blacklistKey = (aud: string, jti: string): string => `${aud}\n${jti}`;

/** Revoked tokens on sqlite, one row per (aud, jti), gone after the token's expiry. */
export function sqliteBlacklists(db: SqliteDb): BlacklistRepo {
  return {
    async add(entry, expiresAt) {
      const doc: BlacklistEntry = { aud: entry.aud, jti: entry.jti };
      db.stmt(
        `INSERT INTO token_blacklist (id, aud, doc, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`,
      ).run(blacklistKey(entry.aud, entry.jti), entry.aud, JSON.stringify(doc), expiresAt);
    },
    async has(aud, jti) {
      return !!db.stmt('SELECT 1 AS hit FROM token_blacklist WHERE id = ? AND expires_at > ?').get(blacklistKey(aud, jti), Date.now());
    },
    async list(filter, options) {
      const where = ['expires_at > ?'];
      const params: (string | number)[] = [Date.now()];
      if (filter.aud !== undefined) {
        where.push('aud = ?');
        params.push(filter.aud);
      }
      return listPage<BlacklistEntry>(db, { table: 'token_blacklist', idColumn: 'id', where, params }, options);
    },
  };
}
