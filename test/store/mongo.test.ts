import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { openStore } from '../../src/store/open.ts';
import { describeStoreConformance } from './conformance.ts';

const uri = process.env['MONGODB_URI'];

/** The same server URI pointing at another database (keeps credentials and options). */
function withDatabase(base: string, dbName: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(base);
  if (!match) throw new Error('MONGODB_URI is not a mongodb:// or mongodb+srv:// URI');
  return `${match[1]}/${dbName}${match[2] ?? ''}`;
}

if (!uri) {
  console.warn(
    'test/store/mongo.test.ts: MONGODB_URI is not set, so the MongoDB store conformance suite is skipped. ' +
      'Set MONGODB_URI=mongodb://127.0.0.1:27017 (any reachable server) to run it.',
  );
  test.skip('MongoDB store conformance (skipped: MONGODB_URI is not set)', () => undefined);
} else {
  // Every open() gets an empty database of its own (the suite needs fresh stores); all are
  // dropped at the end.
  const databases: string[] = [];
  describeStoreConformance('mongodb', () => {
    const dbName = `brokerid_test_${randomUUID().slice(0, 8)}_${databases.length}`;
    databases.push(dbName);
    return openStore({ kind: 'mongodb', uri: withDatabase(uri, dbName) });
  });
  test('a database written before identities had Auth0\'s shape is migrated on connect, once', async () => {
    const dbName = `brokerid_test_${randomUUID().slice(0, 8)}_migrate`;
    databases.push(dbName);
    const target = withDatabase(uri, dbName);
    // The documents exactly as the code before the change wrote them (no identity_keys, bare upstream ids).
    const raw = mongoose.createConnection(target, { serverSelectionTimeoutMS: 3000 });
    await raw.asPromise();
    const old = (connection: string, upstreamId: string) => ({
      _id: `oauth2|${connection}|${upstreamId}`, user_id: `oauth2|${connection}|${upstreamId}`, email: `${upstreamId}@example.com`,
      email_lower: `${upstreamId}@example.com`, identities: [{ provider: 'oauth2', connection, user_id: upstreamId, isSocial: true }],
      extra: {}, user_metadata: { keep: true }, app_metadata: {}, created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:00.000Z',
      logins_count: 2,
    });
    // Typed as the driver's loose documents: these are deliberately not today's UserDoc.
    await raw.db!.collection<{ _id: string }>('users').insertMany([old('acme', '123'), old('generic', 'generic|1001')]);
    await raw.close();
    for (let round = 0; round < 2; round++) {
      const store = await openStore({ kind: 'mongodb', uri: target });
      try {
        expect((await store.users.get('oauth2|acme|123'))?.identities).toEqual([{ provider: 'oauth2', connection: 'acme', user_id: 'acme|123', isSocial: true }]);
        expect((await store.users.get('oauth2|generic|generic|1001'))?.identities[0]?.user_id).toBe('generic|generic|1001');
        expect((await store.users.getByIdentity('oauth2|acme|123'))).toMatchObject({ user_id: 'oauth2|acme|123', user_metadata: { keep: true }, logins_count: 2 });
        expect((await store.users.list({ email: '123@EXAMPLE.com' }, { limit: 5 })).items).toHaveLength(1);
      } finally {
        await store.close();
      }
    }
  });
  afterAll(async () => {
    const admin = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 3000 });
    await admin.asPromise();
    for (const name of databases) await admin.useDb(name).dropDatabase();
    await admin.close();
  });
}
