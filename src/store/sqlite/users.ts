import type { UserRecord, UserRepo } from '../types.ts';
import { changed, doc } from './db.ts';
import type { SqliteDb } from './db.ts';
import { listPage } from './list.ts';
import { userAfterLogin, userFromFirstLogin } from './login.ts';

/** Users on sqlite: lower-cased email column, identity connections in user_identities. */
export function sqliteUsers(db: SqliteDb): UserRepo {
  const read = (userId: string): UserRecord | null => {
    const row = db.stmt('SELECT doc FROM users WHERE user_id = ?').get(userId);
    return row ? doc<UserRecord>(row) : null;
  };
  /** Writes `user` and returns it as stored (a fresh copy without undefined fields). */
  const write = (user: UserRecord, isNew: boolean): UserRecord => {
    const json = JSON.stringify(user);
    const sql = isNew
      ? 'INSERT INTO users (email_lower, doc, user_id) VALUES (?, ?, ?)'
      : 'UPDATE users SET email_lower = ?, doc = ? WHERE user_id = ?';
    db.stmt(sql).run(user.email?.toLowerCase() ?? null, json, user.user_id);
    const link = db.stmt('INSERT OR IGNORE INTO user_identities (user_id, connection) VALUES (?, ?)');
    for (const identity of user.identities) link.run(user.user_id, identity.connection);
    return JSON.parse(json) as UserRecord;
  };

  return {
    async get(userId) {
      return read(userId);
    },
    async delete(userId) {
      // user_identities rows go by ON DELETE CASCADE.
      return changed(db.stmt('DELETE FROM users WHERE user_id = ?').run(userId)) > 0;
    },
    async list(filter, options) {
      const where: string[] = [];
      const params: string[] = [];
      if (filter.email !== undefined) {
        // Lower-cased in JS on both sides: sqlite's lower() only folds ASCII.
        where.push('email_lower = ?');
        params.push(filter.email.toLowerCase());
      }
      if (filter.connection !== undefined) {
        where.push('user_id IN (SELECT user_id FROM user_identities WHERE connection = ?)');
        params.push(filter.connection);
      }
      return listPage<UserRecord>(db, { table: 'users', idColumn: 'user_id', where, params }, options);
    },
    async upsertLogin(input) {
      // Read-modify-write under BEGIN IMMEDIATE: other processes wait on the write lock,
      // so concurrent first logins create the user once and no login count is lost.
      return db.tx(() => {
        const existing = read(input.user_id);
        const next = existing ? userAfterLogin(existing, input) : userFromFirstLogin(input);
        return { user: write(next, existing === null), created: existing === null };
      });
    },
    async updateIdentityTokens(userId, connection, tokens, ifCurrent) {
      return db.tx(() => {
        const user = read(userId);
        const identity = user?.identities.find((i) => i.connection === connection);
        if (!user || !identity) return null;
        if (ifCurrent && (identity.access_token_enc !== ifCurrent.access_token_enc || identity.refresh_token_enc !== ifCurrent.refresh_token_enc)) return null;
        // Replace, not merge: a token the caller no longer has must not linger.
        delete identity.access_token_enc;
        delete identity.refresh_token_enc;
        delete identity.expires_at;
        Object.assign(identity, JSON.parse(JSON.stringify(tokens)) as typeof tokens);
        return write(user, false);
      });
    },
  };
}
