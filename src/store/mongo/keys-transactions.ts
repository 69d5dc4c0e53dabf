import type { KeyRepo, TransactionRepo } from '../types.ts';
import type { Collections } from './connect.ts';
import { isDuplicateKey, plain } from './docs.ts';

const KEYSET_ID = 'keyset';

/** A wrong next.version is a caller bug, not a lost race (false would make it re-read forever). */
function assertNextVersion(expectedVersion: number | null, nextVersion: number): void {
  const wanted = (expectedVersion ?? 0) + 1;
  if (nextVersion !== wanted) {
    throw new Error(`keys.compareAndSet: next.version must be ${wanted} (expected ${expectedVersion}), got ${nextVersion}`);
  }
}

/** The signing key set on MongoDB: one document under optimistic concurrency. */
export function mongoKeys(c: Collections): KeyRepo {
  return {
    async get() {
      const d = await c.keys.findOne({ _id: KEYSET_ID });
      if (!d) return null;
      return { version: d.version, keys: d.keys, ...(typeof d.stable_key_enc === 'string' ? { stable_key_enc: d.stable_key_enc } : {}) };
    },
    async compareAndSet(expectedVersion, next) {
      assertNextVersion(expectedVersion, next.version);
      const keys = plain(next.keys);
      const hashKey = next.stable_key_enc === undefined ? {} : { stable_key_enc: next.stable_key_enc };
      if (expectedVersion === null) {
        // The unique _id lets exactly one first writer in.
        try {
          await c.keys.insertOne({ _id: KEYSET_ID, version: next.version, keys, ...hashKey });
          return true;
        } catch (err) {
          if (isDuplicateKey(err)) return false;
          throw err;
        }
      }
      const result = await c.keys.updateOne(
        { _id: KEYSET_ID, version: expectedVersion },
        next.stable_key_enc === undefined
          ? { $set: { version: next.version, keys }, $unset: { stable_key_enc: '' } }
          : { $set: { version: next.version, keys, stable_key_enc: next.stable_key_enc } },
      );
      return result.matchedCount === 1;
    },
  };
}

/** Login transactions on MongoDB, with a TTL index on expiresAt. */
export function mongoTransactions(c: Collections): TransactionRepo {
  return {
    async put(tx) {
      await c.transactions.replaceOne(
        { _id: tx.id },
        { connection_id: tx.connection_id, payload: plain(tx.payload), expiresAt: new Date(tx.expiresAt) },
        { upsert: true },
      );
    },
    async take(id) {
      // findOneAndDelete is atomic: of concurrent takers only one gets the document.
      // An expired one is deleted too, and not returned.
      const d = await c.transactions.findOneAndDelete({ _id: id });
      if (!d || d.expiresAt.getTime() <= Date.now()) return null;
      return { id, connection_id: d.connection_id, payload: d.payload, expiresAt: d.expiresAt.getTime() };
    },
    async deleteByConnection(connectionId) {
      await c.transactions.deleteMany({ connection_id: connectionId });
    },
  };
}
