import type { Connection, mongo } from 'mongoose';
import { RateLimiterMongo } from 'rate-limiter-flexible';
import { toWindowCounter, type WindowCounter, type WindowRule } from '../../lib/window-counter.ts';

/** The one collection of every window counter (keys carry their counter's name as a prefix). */
export const WINDOW_COUNTERS = 'rate_limits';

/** Its indexes, made with the store's others: expiry by TTL, one document per key (atomic upserts). */
export async function createWindowCounterIndexes(db: mongo.Db): Promise<void> {
  await db.collection(WINDOW_COUNTERS).createIndexes([
    { key: { expire: -1 }, name: 'ttl', expireAfterSeconds: 0 },
    { key: { key: 1 }, name: 'key', unique: true },
  ]);
}

/**
 * Window counters in MongoDB through rate-limiter-flexible, on the store's own connection:
 * every server on the database sees the same counts (one atomic findOneAndUpdate per count).
 */
export function mongoWindowCounter(connection: Connection, name: string, rule: WindowRule): WindowCounter {
  const db = connection.db;
  if (!db) throw new Error('mongodb: not connected');
  return toWindowCounter(new RateLimiterMongo({
    storeClient: connection.getClient(), dbName: db.databaseName, tableName: WINDOW_COUNTERS,
    keyPrefix: name, points: rule.points, duration: rule.durationSeconds,
    // createWindowCounterIndexes made them when the store opened.
    disableIndexesCreation: true,
  }));
}
