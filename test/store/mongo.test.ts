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
  afterAll(async () => {
    const admin = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 3000 });
    await admin.asPromise();
    for (const name of databases) await admin.useDb(name).dropDatabase();
    await admin.close();
  });
}
