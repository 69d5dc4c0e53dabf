import type { LocalWrites } from '../local-writes.ts';
import { VERSIONED_COLLECTIONS, type VersionedCollection, type VersionRepo } from '../types.ts';
import type { Collections } from './connect.ts';

/**
 * Store.versions on MongoDB: one counter document per collection in `versions`. A standalone
 * server has no multi-document transactions, so the counter moves right after each write
 * (types.ts says what that leaves open).
 */
export function mongoVersions(c: Collections, local: LocalWrites): VersionRepo {
  return {
    async current() {
      const out = Object.fromEntries(VERSIONED_COLLECTIONS.map((name) => [name, 0])) as Record<VersionedCollection, number>;
      for (const d of await c.versions.find({}).toArray()) {
        if ((VERSIONED_COLLECTIONS as readonly string[]).includes(d._id)) out[d._id as VersionedCollection] = d.version;
      }
      return out;
    },
    localWrites: () => local.count,
  };
}

/** The bump after a write of these collections (upserted: a counter starts at its first change). */
export function bumpVersions(c: Collections, names: readonly VersionedCollection[]): () => Promise<void> {
  return async () => {
    await c.versions.bulkWrite(names.map((name) => ({
      updateOne: { filter: { _id: name }, update: { $inc: { version: 1 } }, upsert: true },
    })));
  };
}
