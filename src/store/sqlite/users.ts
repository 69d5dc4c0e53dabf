import { identityKey, type UserRecord, type UserRepo } from '../types.ts';
import { applyChange } from '../user-changes.ts';
import type { SqliteDb } from './db.ts';
import { listPage } from './list.ts';
import { userAfterLogin, userFromFirstLogin } from './login.ts';
import { sqliteLinking } from './user-linking.ts';
import { userRows } from './user-rows.ts';

/** Users on sqlite: lower-cased email column, identities indexed in user_identities. */
export function sqliteUsers(db: SqliteDb): UserRepo {
  const rows = userRows(db);
  const { read, write } = rows;

  return {
    async get(userId) {
      return read(userId);
    },
    async getByIdentity(key) {
      return rows.readByIdentity(key);
    },
    async delete(userId) {
      return rows.remove(userId);
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
        const existing = rows.readForLogin(identityKey(input.identity), input.user_id);
        const next = existing ? userAfterLogin(existing, input) : userFromFirstLogin(input);
        return { user: write(next, existing), created: existing === null };
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
        return write(user, user);
      });
    },
    async update(userId, change) {
      return db.tx(() => {
        const user = read(userId);
        return user ? write(applyChange(user, change), user) : null;
      });
    },
    ...sqliteLinking(db, rows),
  };
}
