import type { UserRecord } from '../types.ts';
import { identityKeys } from '../user-changes.ts';
import { changed, doc, guardUnique } from './db.ts';
import type { SqliteDb } from './db.ts';

/** What the sqlite user operations share: reads and the one write (document + identity index). */
export interface SqliteUserRows {
  read(userId: string): UserRecord | null;
  readByIdentity(key: string): UserRecord | null;
  /** The user holding the identity `key`, else the user `userId`, else null. */
  readForLogin(key: string, userId: string): UserRecord | null;
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
      const row = db.stmt('SELECT u.doc FROM user_identities i JOIN users u ON u.user_id = i.user_id WHERE i.identity = ?').get(key);
      return row ? doc<UserRecord>(row) : null;
    },
    readForLogin(key, userId) {
      // One statement for "the holder of the identity, else the user with this id".
      const row = db.stmt('SELECT doc FROM users WHERE user_id = coalesce((SELECT user_id FROM user_identities WHERE identity = ?), ?)').get(key, userId);
      return row ? doc<UserRecord>(row) : null;
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
        user.identities.forEach((identity, i) => guardUnique(() =>
          db.stmt('INSERT INTO user_identities (user_id, connection, identity) VALUES (?, ?, ?)').run(user.user_id, identity.connection, keys[i] ?? '')));
      }
      return JSON.parse(json) as UserRecord;
    },
    remove(userId) {
      // user_identities rows go by ON DELETE CASCADE.
      return changed(db.stmt('DELETE FROM users WHERE user_id = ?').run(userId)) > 0;
    },
  };
}
