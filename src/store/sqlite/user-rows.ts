import type { UserRecord } from '../types.ts';
import { identityKeys } from '../user-changes.ts';
import { changed, doc, guardUnique } from './db.ts';
import type { SqliteDb } from './db.ts';

/** What the sqlite user operations share: reads and the one write (document + identity index). */
export interface SqliteUserRows {
  read(userId: string): UserRecord | null;
  readByIdentity(key: string): UserRecord | null;
  /** Writes `user` (inserted when `previous` is null) and returns it as stored (a fresh copy without undefined fields). */
  write(user: UserRecord, previous: UserRecord | null): UserRecord;
  remove(userId: string): boolean;
}

/** The user rows of one database. */
export function userRows(db: SqliteDb): SqliteUserRows {
  const read = (userId: string): UserRecord | null => {
    const row = db.stmt('SELECT doc FROM users WHERE user_id = ?').get(userId);
    return row ? doc<UserRecord>(row) : null;
  };
  return {
    read,
    readByIdentity(key) {
      const row = db.stmt('SELECT user_id FROM user_identities WHERE identity = ?').get(key);
      return row ? read(String(row['user_id'])) : null;
    },
    write(user, previous) {
      const json = JSON.stringify(user);
      const sql = previous === null
        ? 'INSERT INTO users (email_lower, doc, user_id) VALUES (?, ?, ?)'
        : 'UPDATE users SET email_lower = ?, doc = ? WHERE user_id = ?';
      guardUnique(() => db.stmt(sql).run(user.email?.toLowerCase() ?? null, json, user.user_id));
      const keys = identityKeys(user);
      // A login keeps the same identities: the index rows are rewritten only when they change.
      if (!previous || keys.join('\n') !== identityKeys(previous).join('\n')) {
        db.stmt('DELETE FROM user_identities WHERE user_id = ?').run(user.user_id);
        const link = db.stmt('INSERT INTO user_identities (user_id, connection, identity) VALUES (?, ?, ?)');
        user.identities.forEach((identity, i) => guardUnique(() => link.run(user.user_id, identity.connection, keys[i] ?? '')));
      }
      return JSON.parse(json) as UserRecord;
    },
    remove(userId) {
      // user_identities rows go by ON DELETE CASCADE.
      return changed(db.stmt('DELETE FROM users WHERE user_id = ?').run(userId)) > 0;
    },
  };
}
