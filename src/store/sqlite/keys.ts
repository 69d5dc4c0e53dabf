import type { KeyRepo, KeySet, SigningKeyRecord } from '../types.ts';
import { changed, doc, num } from './db.ts';
import type { SqliteDb } from './db.ts';

/** The signing key set on sqlite: a single row (id = 1) carrying a version. */
export function sqliteKeys(db: SqliteDb): KeyRepo {
  return {
    async get() {
      const row = db.stmt('SELECT version, doc, stable_key_enc FROM keyset WHERE id = 1').get();
      if (!row) return null;
      const set: KeySet = { version: num(row, 'version') ?? 0, keys: doc<SigningKeyRecord[]>(row) };
      if (typeof row['stable_key_enc'] === 'string') set.stable_key_enc = row['stable_key_enc'];
      return set;
    },
    async compareAndSet(expectedVersion, next) {
      assertNextVersion(expectedVersion, next.version);
      const keys = JSON.stringify(next.keys);
      const hashKey = next.stable_key_enc ?? null;
      // Each branch is one conditional statement, so two racing writers cannot both win.
      const result =
        expectedVersion === null
          ? db.stmt('INSERT INTO keyset (id, version, doc, stable_key_enc) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING').run(next.version, keys, hashKey)
          : db.stmt('UPDATE keyset SET version = ?, doc = ?, stable_key_enc = ? WHERE id = 1 AND version = ?').run(next.version, keys, hashKey, expectedVersion);
      return changed(result) === 1;
    },
  };
}

/**
 * A wrong next.version is a bug in the caller, not a lost race: answering false would send
 * it into an endless re-read loop, so it is rejected instead.
 */
export function assertNextVersion(expectedVersion: number | null, nextVersion: number): void {
  const wanted = (expectedVersion ?? 0) + 1;
  if (nextVersion !== wanted) {
    throw new Error(`keys.compareAndSet: next.version must be ${wanted} (expected ${expectedVersion}), got ${nextVersion}`);
  }
}
