import type { UserRepo } from '../types.ts';
import { findIdentity, linkedUser, userFromIdentity } from '../user-changes.ts';
import type { SqliteDb } from './db.ts';
import type { SqliteUserRows } from './user-rows.ts';

/** Account linking on sqlite: each operation is one transaction, so no state in between is ever visible. */
export function sqliteLinking(db: SqliteDb, rows: SqliteUserRows): Pick<UserRepo, 'link' | 'unlink'> {
  return {
    async link(primaryId, secondaryId, now) {
      return db.tx(() => {
        const primary = rows.read(primaryId);
        if (!primary) return { ok: false, reason: 'user_missing' } as const;
        const secondary = rows.read(secondaryId);
        if (!secondary) return { ok: false, reason: 'secondary_missing' } as const;
        const next = linkedUser(primary, secondary, now);
        if (!next) return { ok: false, reason: 'connection_taken' } as const;
        // The secondary goes first: its identity rows (unique keys) must be free for the primary.
        rows.remove(secondaryId);
        return { ok: true, user: rows.write(next, primary) } as const;
      });
    },
    async unlink(userId, key, now) {
      return db.tx(() => {
        const user = rows.read(userId);
        if (!user) return { ok: false, reason: 'user_missing' } as const;
        const found = findIdentity(user, key);
        if (!found) return { ok: false, reason: 'identity_missing' } as const;
        if (found.main) return { ok: false, reason: 'main_identity' } as const;
        const remaining = rows.write({ ...user, identities: user.identities.filter((i) => i !== found.identity), updated_at: now }, user);
        return { ok: true, user: remaining, unlinked: rows.write(userFromIdentity(found.identity, now), null) } as const;
      });
    },
  };
}
