import mongoose from 'mongoose';
import type { Connection, mongo } from 'mongoose';
import type {
  BlacklistDoc,
  ClientDoc,
  ClientGrantDoc,
  ConnectionDoc,
  KeySetDoc,
  LogDoc,
  OidcDoc,
  TransactionDoc,
  UserDoc,
  VersionDoc,
} from './docs.ts';
import type { StoreMetrics } from '../types.ts';
import { migrateUsers } from './migrate.ts';
import { createWindowCounterIndexes } from './window-counters.ts';

/** The typed collections of one store. */
export interface Collections {
  clients: mongo.Collection<ClientDoc>;
  clientGrants: mongo.Collection<ClientGrantDoc>;
  connections: mongo.Collection<ConnectionDoc>;
  users: mongo.Collection<UserDoc>;
  oidc: mongo.Collection<OidcDoc>;
  keys: mongo.Collection<KeySetDoc>;
  transactions: mongo.Collection<TransactionDoc>;
  logs: mongo.Collection<LogDoc>;
  blacklists: mongo.Collection<BlacklistDoc>;
  versions: mongo.Collection<VersionDoc>;
}

/**
 * Opens a private connection (never mongoose's global one, so several stores and the
 * tests can coexist) and makes sure every index exists.
 *
 * The repos talk to the driver's collections through this connection rather than through
 * mongoose models: records are free-form JSON, and documents would minimize `{}` away,
 * cast values and reject update pipelines unless flagged per query.
 */
export async function connectMongo(uri: string, metrics?: StoreMetrics): Promise<{ connection: Connection; collections: Collections }> {
  const connection = mongoose.createConnection(uri, {
    // The driver's command events are the one place that sees every operation (statement counts).
    monitorCommands: metrics !== undefined,
    // Fail fast instead of queueing operations while the server is away (readiness must see it).
    bufferCommands: false,
    serverSelectionTimeoutMS: 3000,
    autoIndex: false,
    autoCreate: false,
  });
  try {
    await connection.asPromise();
    if (metrics) countCommands(connection, metrics);
    const db = connection.db;
    if (!db) throw new Error('mongodb: connected without a database handle');
    const collections: Collections = {
      clients: db.collection<ClientDoc>('clients'),
      clientGrants: db.collection<ClientGrantDoc>('client_grants'),
      connections: db.collection<ConnectionDoc>('connections'),
      users: db.collection<UserDoc>('users'),
      oidc: db.collection<OidcDoc>('oidc'),
      keys: db.collection<KeySetDoc>('keyset'),
      transactions: db.collection<TransactionDoc>('transactions'),
      logs: db.collection<LogDoc>('logs'),
      blacklists: db.collection<BlacklistDoc>('token_blacklist'),
      versions: db.collection<VersionDoc>('versions'),
    };
    // Before the indexes: the unique identity index needs every document's keys in the new shape.
    await migrateUsers(collections.users);
    await Promise.all([createIndexes(collections), createWindowCounterIndexes(db)]);
    return { connection, collections };
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw err;
  }
}

const READ_COMMANDS = new Set(['find', 'getMore', 'aggregate', 'count', 'distinct']);
const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify']);

/** Counts each data command the driver sends as one statement (handshakes, pings and index builds are not). */
function countCommands(connection: Connection, metrics: StoreMetrics): void {
  connection.getClient().on('commandStarted', (event: mongo.CommandStartedEvent) => {
    if (READ_COMMANDS.has(event.commandName)) metrics.storeStatement('read');
    else if (WRITE_COMMANDS.has(event.commandName)) metrics.storeStatement('write');
  });
}

/** Idempotent: createIndexes is a no-op for an index that already exists with this spec. */
async function createIndexes(c: Collections): Promise<void> {
  // The TTL monitor runs about once a minute, so every read also filters on expiresAt.
  const ttl = { key: { expiresAt: 1 }, name: 'ttl', expireAfterSeconds: 0 };
  await Promise.all([
    c.clientGrants.createIndexes([
      { key: { client_id: 1, audience: 1 }, name: 'client_audience', unique: true },
      { key: { audience: 1 }, name: 'audience' },
    ]),
    c.connections.createIndexes([
      { key: { name: 1 }, name: 'name', unique: true },
      { key: { strategy: 1 }, name: 'strategy' },
      { key: { enabled_clients: 1 }, name: 'enabled_clients' },
    ]),
    c.users.createIndexes([
      { key: { email_lower: 1 }, name: 'email_lower' },
      { key: { 'identities.connection': 1, _id: 1 }, name: 'identity_connection' },
      // Partial: a document without identities has no key to be unique about.
      { key: { identity_keys: 1 }, name: 'identity_keys', unique: true, partialFilterExpression: { identity_keys: { $type: 'string' } } },
    ]),
    c.oidc.createIndexes([
      { key: { model: 1, uid: 1 }, name: 'uid' },
      { key: { model: 1, userCode: 1 }, name: 'user_code' },
      { key: { grantId: 1 }, name: 'grant_id' },
      { key: { accountId: 1 }, name: 'account_id', sparse: true },
      ttl,
    ]),
    c.transactions.createIndexes([{ key: { connection_id: 1 }, name: 'connection_id' }, ttl]),
    // Each log filter ends in (date, _id), the sort, so a filtered page is an index range scan.
    // Retention is an explicit purgeBefore (LOGS_RETENTION_DAYS), not a TTL index: a TTL's
    // period is fixed in the index, and changing the setting would need a collMod.
    c.logs.createIndexes([
      { key: { date: 1, _id: 1 }, name: 'date' },
      { key: { type: 1, date: 1, _id: 1 }, name: 'type_date' },
      { key: { user_id: 1, date: 1, _id: 1 }, name: 'user_date', sparse: true },
      { key: { client_id: 1, date: 1, _id: 1 }, name: 'client_date', sparse: true },
      { key: { connection: 1, date: 1, _id: 1 }, name: 'connection_date', sparse: true },
    ]),
    c.blacklists.createIndexes([{ key: { aud: 1, _id: 1 }, name: 'aud' }, ttl]),
  ]);
}
