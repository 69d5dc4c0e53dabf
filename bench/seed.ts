import { sealOptions } from '../src/connections/stored.ts';
import { newConnectionId } from '../src/lib/ids.ts';
import { createSecretBox } from '../src/lib/secrets.ts';
import { SqliteDb } from '../src/store/sqlite/db.ts';
import { sqliteConnections } from '../src/store/sqlite/connections.ts';
import { sqliteUsers } from '../src/store/sqlite/users.ts';
import { loginUpsert } from '../src/users/profile.ts';
import { ACTIVE_CONNECTIONS, profileOf, UPSTREAM_SECRET } from './lib/fixtures.ts';

/**
 * Bulk seeding of the embedded store for the scale steps, written straight into the sqlite
 * file (WAL; the running server keeps serving from it) through the store's own repos, in
 * large transactions: the Management API would take minutes for 100,000 records, and what
 * is measured is the login's cost with them stored, not how fast they were created.
 */

/** The fetchUserProfile every bench connection runs: one request.get to the upstream userinfo. */
export const benchScript = (userinfo: string): string => `function (accessToken, ctx, cb) {
  request.get({ url: '${userinfo}', headers: { Authorization: 'Bearer ' + accessToken }, json: true }, function (err, resp, body) {
    if (err) return cb(err);
    if (resp.statusCode !== 200) return cb(new Error('userinfo answered ' + resp.statusCode));
    cb(null, { user_id: body.sub, email: body.email, email_verified: body.email_verified, name: body.name,
      given_name: body.given_name, family_name: body.family_name });
  });
}`;

/** Options of connection `bench-<k>` (client `bench-<k>` at the upstream). */
export function connectionOptions(upstream: string, k: number | string): Record<string, unknown> {
  return {
    authorizationURL: `${upstream}/authorize`, tokenURL: `${upstream}/token`, scope: ['openid', 'profile', 'email'],
    client_id: `bench-${k}`, client_secret: UPSTREAM_SECRET, scripts: { fetchUserProfile: benchScript(`${upstream}/userinfo`) },
  };
}

const BATCH = 5_000;

/**
 * Opens the store file and writes `count` records with `write(i)` in transactions of BATCH.
 * The sqlite repos are synchronous underneath (their promises are settled when returned),
 * so each batch holds the write lock only for its own inserts; nested repo transactions join it.
 */
async function batched(file: string, from: number, to: number, write: (db: SqliteDb, i: number) => Promise<unknown>): Promise<void> {
  const db = new SqliteDb(file);
  try {
    for (let start = from; start < to; start += BATCH) {
      db.stmt('BEGIN IMMEDIATE').run();
      try {
        for (let i = start; i < Math.min(to, start + BATCH); i++) await write(db, i);
        db.stmt('COMMIT').run();
      } catch (err) {
        if (db.raw.isTransaction) db.stmt('ROLLBACK').run();
        throw err;
      }
    }
    // Copy the seeded pages into the database file now: otherwise the server's next
    // automatic checkpoint does it inline, and the measured step pays for the seeding.
    db.raw.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** Adds connections `seed-<from>` .. `seed-<to - 1>`, each enabled for `clientId`, shaped like the active ones. */
export async function seedConnections(file: string, secretsKey: string, upstream: string, clientId: string, from: number, to: number): Promise<void> {
  const box = createSecretBox(Buffer.from(secretsKey, 'base64'));
  await batched(file, from, to, (db, i) => {
    const id = newConnectionId();
    const now = new Date().toISOString();
    return sqliteConnections(db).insert({
      id, name: `seed-${i}`, strategy: 'oauth2', options: sealOptions(id, connectionOptions(upstream, `seed-${i}`), box),
      enabled_clients: [clientId], realms: [`seed-${i}`], is_domain_connection: false, show_as_button: true, metadata: {},
      version: 1, created_at: now, updated_at: now,
    });
  });
}

/** Adds users `oauth2|bench-<i mod 10>|u<i>` for i in [from, to): the users the upstream hands out. */
export async function seedUsers(file: string, from: number, to: number): Promise<void> {
  await batched(file, from, to, (db, i) => {
    const p = profileOf(i);
    const upsert = loginUpsert({
      connection: `bench-${i % ACTIVE_CONNECTIONS}`, setRootAttributes: 'on_each_login', tokens: {},
      profile: { user_id: p.sub, email: p.email, email_verified: p.email_verified, name: p.name, given_name: p.given_name, family_name: p.family_name },
    });
    if ('error' in upsert) throw new Error(upsert.error);
    return sqliteUsers(db).upsertLogin(upsert);
  });
}

/** Row counts, to state in the results what was stored. */
export function countRows(file: string): { connections: number; users: number; oidcRecords: number; logs: number } {
  const db = new SqliteDb(file);
  try {
    const n = (table: string) => Number(db.stmt(`SELECT count(*) AS n FROM ${table}`).get()?.['n'] ?? 0);
    return { connections: n('connections'), users: n('users'), oidcRecords: n('oidc'), logs: n('logs') };
  } finally {
    db.close();
  }
}
