import { LocalWrites } from '../local-writes.ts';
import type { Store, StoreMetrics } from '../types.ts';
import { mongoBlacklists } from './blacklists.ts';
import { mongoClientGrants, mongoClients } from './clients.ts';
import { connectMongo } from './connect.ts';
import { mongoConnections } from './connections.ts';
import { mongoKeys, mongoTransactions } from './keys-transactions.ts';
import { mongoLogs } from './logs.ts';
import { mongoOidc } from './oidc.ts';
import { mongoUsers } from './users.ts';
import { bumpVersions, mongoVersions } from './versions.ts';
import { mongoWindowCounter } from './window-counters.ts';

export interface MongoStoreOptions {
  /** mongodb:// or mongodb+srv:// URI; the database is the one the URI names. */
  uri: string;
  /** Counts every data command sent. */
  metrics?: StoreMetrics;
}

/** The production store on MongoDB (mongoose connection, driver collections). */
export async function openMongoStore(options: MongoStoreOptions): Promise<Store> {
  const { connection, collections: c } = await connectMongo(options.uri, options.metrics);
  const local = new LocalWrites();
  return {
    kind: 'mongodb',
    // Deleting a client deletes its grants too.
    clients: local.track(mongoClients(c), ['get', 'list'], bumpVersions(c, ['clients', 'client_grants'])),
    clientGrants: local.track(mongoClientGrants(c), ['get', 'find', 'list'], bumpVersions(c, ['client_grants'])),
    connections: local.track(mongoConnections(c), ['get', 'getByName', 'list'], bumpVersions(c, ['connections'])),
    users: mongoUsers(c),
    oidc: mongoOidc(c),
    keys: local.track(mongoKeys(c), ['get'], bumpVersions(c, ['keyset'])),
    transactions: mongoTransactions(c),
    logs: mongoLogs(c),
    blacklists: mongoBlacklists(c),
    versions: mongoVersions(c, local),
    windowCounter: (name, rule) => mongoWindowCounter(connection, name, rule),
    async ping() {
      const db = connection.db;
      if (!db) throw new Error('mongodb: not connected');
      await db.command({ ping: 1 });
    },
    async purgeExpired() {
      // The TTL monitor does this about once a minute; doing it now keeps purge explicit.
      const expired = { expiresAt: { $lte: new Date() } };
      await Promise.all([c.oidc.deleteMany(expired), c.transactions.deleteMany(expired), c.blacklists.deleteMany(expired)]);
    },
    async close() {
      await connection.close();
    },
  };
}
