import type { Store } from '../types.ts';
import { mongoBlacklists } from './blacklists.ts';
import { mongoClientGrants, mongoClients } from './clients.ts';
import { connectMongo } from './connect.ts';
import { mongoConnections } from './connections.ts';
import { mongoKeys, mongoTransactions } from './keys-transactions.ts';
import { mongoLogs } from './logs.ts';
import { mongoOidc } from './oidc.ts';
import { mongoUsers } from './users.ts';
import { mongoWindowCounter } from './window-counters.ts';

export interface MongoStoreOptions {
  /** mongodb:// or mongodb+srv:// URI; the database is the one the URI names. */
  uri: string;
}

/** The production store on MongoDB (mongoose connection, driver collections). */
export async function openMongoStore(options: MongoStoreOptions): Promise<Store> {
  const { connection, collections: c } = await connectMongo(options.uri);
  return {
    kind: 'mongodb',
    clients: mongoClients(c),
    clientGrants: mongoClientGrants(c),
    connections: mongoConnections(c),
    users: mongoUsers(c),
    oidc: mongoOidc(c),
    keys: mongoKeys(c),
    transactions: mongoTransactions(c),
    logs: mongoLogs(c),
    blacklists: mongoBlacklists(c),
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
