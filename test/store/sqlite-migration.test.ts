import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createSecretBox } from '../../src/lib/secrets.ts';
import { MIGRATIONS } from '../../src/store/sqlite/schema.ts';
import { openStore } from '../../src/store/open.ts';
import { openIdentityToken } from '../../src/users/identity-tokens.ts';

const dir = mkdtempSync(join(tmpdir(), 'brokerid-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const box = createSecretBox(randomBytes(32));

/** A user exactly as the code before schema v3 wrote it: identity user_id the bare upstream id, tokens sealed for the user id. */
function oldUser(connection: string, upstreamId: string, email: string): Record<string, unknown> {
  const userId = `oauth2|${connection}|${upstreamId}`;
  return {
    user_id: userId, email,
    identities: [{
      provider: 'oauth2', connection, user_id: upstreamId, isSocial: true, profileData: { email },
      access_token_enc: box.seal(`at-${upstreamId}`, `users:${userId}:identities.${connection}.access_token`),
    }],
    extra: {}, user_metadata: { plan: 'gold' }, app_metadata: {}, created_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-01T00:00:00.000Z', last_login: '2025-01-01T00:00:00.000Z', logins_count: 3,
  };
}

/** A schema v2 file (the migrations before v3 only) holding the given users, written the way v2 code wrote them. */
function v2File(users: Record<string, unknown>[]): string {
  const file = join(dir, `v2-${randomBytes(4).toString('hex')}.db`);
  const raw = new DatabaseSync(file);
  for (const sql of MIGRATIONS.slice(0, 2)) raw.exec(sql);
  raw.exec('PRAGMA user_version = 2');
  for (const u of users) {
    raw.prepare('INSERT INTO users (email_lower, doc, user_id) VALUES (?, ?, ?)').run(String(u['email']).toLowerCase(), JSON.stringify(u), String(u['user_id']));
    for (const i of u['identities'] as { connection: string }[]) {
      raw.prepare('INSERT INTO user_identities (user_id, connection) VALUES (?, ?)').run(String(u['user_id']), i.connection);
    }
  }
  raw.close();
  return file;
}

test('a v2 store opens migrated: identities in Auth0\'s shape, indexed by identity, tokens still open, nothing else changed', async () => {
  // "generic|1001": an upstream id that already contains a "|" must still be prefixed exactly once.
  const before = [oldUser('acme', '123', 'Ada@Example.com'), oldUser('generic', 'generic|1001', 'g@example.com')];
  const file = v2File(before);
  const store = await openStore({ kind: 'sqlite', file });
  try {
    const acme = await store.users.get('oauth2|acme|123');
    expect(acme?.identities).toEqual([expect.objectContaining({ provider: 'oauth2', connection: 'acme', user_id: 'acme|123', isSocial: true })]);
    expect(acme).toMatchObject({ email: 'Ada@Example.com', user_metadata: { plan: 'gold' }, logins_count: 3, created_at: '2025-01-01T00:00:00.000Z' });
    const generic = await store.users.get('oauth2|generic|generic|1001');
    expect(generic?.identities[0]?.user_id).toBe('generic|generic|1001');
    // The identity index: a user is found by its identity, and by connection as before.
    expect((await store.users.getByIdentity('oauth2|acme|123'))?.user_id).toBe('oauth2|acme|123');
    expect((await store.users.list({ connection: 'generic' }, { limit: 10 })).items.map((u) => u.user_id)).toEqual(['oauth2|generic|generic|1001']);
    expect((await store.users.list({ email: 'ada@example.com' }, { limit: 10 })).items).toHaveLength(1);
    // Sealed before the change, for the user id: the identity key is that id, so it still opens.
    expect(openIdentityToken(box, acme!.identities[0]!, 'access_token')).toBe('at-123');
    // The next login through the identity finds the migrated user instead of creating another.
    const { user, created } = await store.users.upsertLogin({
      user_id: 'oauth2|acme|123', identity: { provider: 'oauth2', connection: 'acme', user_id: 'acme|123', isSocial: true },
      root: { email: 'Ada@Example.com' }, extra: {}, setRootAttributes: 'on_each_login', now: '2025-02-01T00:00:00.000Z',
    });
    expect(created).toBe(false);
    expect(user.logins_count).toBe(4);
  } finally {
    await store.close();
  }
  const raw = new DatabaseSync(file);
  expect(raw.prepare('PRAGMA user_version').get()).toEqual({ user_version: MIGRATIONS.length });
  expect(raw.prepare('SELECT user_id, connection, identity FROM user_identities ORDER BY user_id').all()).toEqual([
    { user_id: 'oauth2|acme|123', connection: 'acme', identity: 'oauth2|acme|123' },
    { user_id: 'oauth2|generic|generic|1001', connection: 'generic', identity: 'oauth2|generic|generic|1001' },
  ]);
  raw.close();
  // Opening again migrates nothing twice.
  const again = await openStore({ kind: 'sqlite', file });
  expect((await again.users.get('oauth2|acme|123'))?.identities[0]?.user_id).toBe('acme|123');
  await again.close();
});
