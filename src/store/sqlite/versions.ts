import { VERSIONED_COLLECTIONS, type VersionedCollection, type VersionRepo } from '../types.ts';
import type { SqliteDb } from './db.ts';
import { whenFree } from './busy.ts';
import { num, text } from './db.ts';
import type { LocalWrites } from '../local-writes.ts';

/** Store.versions on sqlite: the `versions` table, which triggers bump in each writing transaction (schema v7). */
export function sqliteVersions(db: SqliteDb, local: LocalWrites): VersionRepo {
  return {
    current: () => whenFree(() => {
      const out = Object.fromEntries(VERSIONED_COLLECTIONS.map((c) => [c, 0])) as Record<VersionedCollection, number>;
      for (const row of db.stmt('SELECT name, version FROM versions').all()) {
        const name = text(row, 'name');
        if ((VERSIONED_COLLECTIONS as readonly string[]).includes(name)) out[name as VersionedCollection] = num(row, 'version') ?? 0;
      }
      return out;
    }),
    localWrites: () => local.count,
  };
}
