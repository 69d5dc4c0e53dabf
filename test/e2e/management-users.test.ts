import { createSecretBox } from '../../src/lib/secrets.ts';
import { identityTokenAad } from '../../src/users/identity-tokens.ts';
import type { LoginUpsert } from '../../src/store/types.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let srv: TestServer;
let reader: string;
type Json = Record<string, unknown>;

beforeAll(async () => {
  srv = await startTestServer();
  reader = await srv.tokenWith(['read:users']);
});
afterAll(async () => {
  await srv.close();
});

/** What the login flow does: one atomic upsert of user + identity, upstream tokens sealed. */
async function login(connection: string, upstreamId: string, root: LoginUpsert['root'] = {}, extra: Json = {}, tokens?: { access: string; refresh?: string }) {
  const box = createSecretBox(srv.config.secretsKey);
  const userId = `oauth2|${connection}|${upstreamId}`;
  const ref = { provider: 'oauth2', connection, user_id: `${connection}|${upstreamId}` };
  const { user } = await srv.server.store.users.upsertLogin({
    user_id: userId,
    identity: {
      ...ref, isSocial: true,
      ...(tokens ? {
        access_token_enc: box.seal(tokens.access, identityTokenAad(ref, 'access_token')),
        ...(tokens.refresh ? { refresh_token_enc: box.seal(tokens.refresh, identityTokenAad(ref, 'refresh_token')) } : {}),
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
      } : {}),
    },
    root, extra, setRootAttributes: 'on_each_login', now: new Date().toISOString(),
  });
  return user;
}

const path = (userId: string) => `/users/${encodeURIComponent(userId)}`;

test('a user in Auth0\'s shape: oauth2|<connection>|<id>, social identity, root attributes, extra profile fields at the root', async () => {
  await login('shape', '42', { email: 'Ada@Example.com', email_verified: true, name: 'Ada L', given_name: 'Ada', family_name: 'L',
    nickname: 'ada', picture: 'https://img.example/ada.png' }, { locale: 'de' });
  const second = await login('shape', '42', { email: 'Ada@Example.com', email_verified: true, name: 'Ada L', given_name: 'Ada', family_name: 'L',
    nickname: 'ada', picture: 'https://img.example/ada.png' }, { locale: 'en', user_id: 'must-not-win', identities: 'nor-this', logins_count: 99 });
  const res = await srv.api(path('oauth2|shape|42'), { token: reader });
  expect(res.status).toBe(200);
  const u = res.body as Json;
  expect(u).toEqual({
    user_id: 'oauth2|shape|42', email: 'Ada@Example.com', email_verified: true, name: 'Ada L', given_name: 'Ada', family_name: 'L',
    nickname: 'ada', picture: 'https://img.example/ada.png', locale: 'en',
    identities: [{ provider: 'oauth2', connection: 'shape', user_id: 'shape|42', isSocial: true }],
    user_metadata: {}, app_metadata: {}, created_at: second.created_at, updated_at: second.updated_at, last_login: second.last_login, logins_count: 2,
  });
  expect((await srv.api(`${path('oauth2|shape|42')}?fields=user_id,email`, { token: reader })).body).toEqual({ user_id: 'oauth2|shape|42', email: 'Ada@Example.com' });
  const missing = await srv.api(path('oauth2|shape|nobody'), { token: reader });
  expect(missing.status).toBe(404);
  expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found', message: expect.stringMatching(/oauth2\|shape\|nobody/) });
});

test('upstream tokens only for a token holding read:user_idp_tokens; sealed fields never', async () => {
  await login('tokens', 't1', { email: 't1@example.com' }, {}, { access: 'upstream-access-abc', refresh: 'upstream-refresh-def' });
  const withTokens = (await srv.api(path('oauth2|tokens|t1'))).body as { identities: Json[] };
  expect(withTokens.identities[0]).toMatchObject({ access_token: 'upstream-access-abc', refresh_token: 'upstream-refresh-def', expires_in: expect.any(Number) });
  expect(withTokens.identities[0]!['expires_in']).toBeGreaterThan(3500);
  for (const res of [await srv.api(path('oauth2|tokens|t1'), { token: reader }), await srv.api('/users?connection=tokens', { token: reader }),
    await srv.api('/users-by-email?email=t1@example.com', { token: reader })]) {
    const text = JSON.stringify(res.body);
    expect(res.status).toBe(200);
    expect(text).not.toContain('upstream-access-abc');
    expect(text).not.toContain('upstream-refresh-def');
    expect(text).not.toMatch(/_enc|enc1\./);
  }
  const listed = (await srv.api('/users?connection=tokens')).body as { identities: Json[] }[];
  expect(listed[0]!.identities[0]!['access_token']).toBe('upstream-access-abc');
  expect(JSON.stringify(listed)).not.toMatch(/_enc|enc1\./);
});

test('a token sealed for another identity does not open: it is left out, the user is still shown', async () => {
  const box = createSecretBox(srv.config.secretsKey);
  await srv.server.store.users.upsertLogin({
    user_id: 'oauth2|tokens|moved', identity: { provider: 'oauth2', connection: 'tokens', user_id: 'tokens|moved', isSocial: true,
      access_token_enc: box.seal('stolen', identityTokenAad({ provider: 'oauth2', connection: 'tokens', user_id: 'tokens|t1' }, 'access_token')) },
    root: {}, extra: {}, setRootAttributes: 'on_each_login', now: new Date().toISOString(),
  });
  const res = await srv.api(path('oauth2|tokens|moved'));
  expect(res.status).toBe(200);
  expect((res.body as { identities: Json[] }).identities[0]).not.toHaveProperty('access_token');
});

test('list: bare array, paging with totals, checkpoint paging, filters by email and connection, q subset, field selection', async () => {
  for (const id of ['a', 'b', 'c']) await login('listing', id, { email: `${id}@list.example` });
  await login('other', 'a', { email: 'A@LIST.example' });
  const all = (await srv.api('/users', { token: reader })).body as Json[];
  expect(Array.isArray(all)).toBe(true);
  const ids = all.map((u) => u['user_id']);
  expect([...ids].sort()).toEqual(ids);

  const page = (await srv.api('/users?per_page=2&page=1&include_totals=true', { token: reader })).body as Json;
  expect(page).toMatchObject({ start: 2, limit: 2, length: 2, total: all.length });
  expect((page['users'] as Json[]).map((u) => u['user_id'])).toEqual(ids.slice(2, 4));
  const first = (await srv.api('/users?take=3', { token: reader })).body as { users: Json[]; next: string };
  expect(first.next).toBe(ids[2]);
  const next = (await srv.api(`/users?take=3&from=${encodeURIComponent(first.next)}`, { token: reader })).body as { users: Json[] };
  expect(next.users.map((u) => u['user_id'])).toEqual(ids.slice(3, 6));

  const byConnection = (await srv.api('/users?connection=listing', { token: reader })).body as Json[];
  expect(byConnection.map((u) => u['user_id'])).toEqual(['oauth2|listing|a', 'oauth2|listing|b', 'oauth2|listing|c']);
  const byEmail = (await srv.api('/users?email=a%40list.example', { token: reader })).body as Json[];
  expect(byEmail.map((u) => u['user_id'])).toEqual(['oauth2|listing|a', 'oauth2|other|a']);
  const q = encodeURIComponent('email:"a@list.example" AND identities.connection:"other"');
  expect(((await srv.api(`/users?q=${q}&search_engine=v3`, { token: reader })).body as Json[]).map((u) => u['user_id'])).toEqual(['oauth2|other|a']);
  const slim = (await srv.api('/users?connection=listing&fields=user_id', { token: reader })).body as Json[];
  expect(slim).toEqual([{ user_id: 'oauth2|listing|a' }, { user_id: 'oauth2|listing|b' }, { user_id: 'oauth2|listing|c' }]);
  expect((await srv.api('/users?connection=nobody', { token: reader })).body).toEqual([]);

  for (const [query, expected] of [
    [`q=${encodeURIComponent('name:"Ada"')}`, /q: unsupported search "name:\\"Ada\\""; this server supports email/],
    [`q=${encodeURIComponent('email:"x@y" AND email:"z@y"')}`, /q: conflicts with another email filter/],
    ['per_page=500', /per_page: must be at most 100/],
    ['search_engine=v9', /search_engine: /],
  ] as const) {
    const res = await srv.api(`/users?${query}`, { token: reader });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, errorCode: 'invalid_query_string', message: expect.stringMatching(expected) });
  }
});

test('users-by-email: case-insensitive exact match, bare array, fields; email is required', async () => {
  await login('byemail', '1', { email: 'Grace@Hopper.example' });
  await login('byemail', '2', { email: 'grace@hopper.example' });
  await login('byemail', '3', { email: 'grace.h@hopper.example' });
  const res = await srv.api('/users-by-email?email=GRACE%40hopper.example', { token: reader });
  expect(res.status).toBe(200);
  expect((res.body as Json[]).map((u) => u['user_id'])).toEqual(['oauth2|byemail|1', 'oauth2|byemail|2']);
  expect((await srv.api('/users-by-email?email=grace%40hopper.example&fields=email', { token: reader })).body)
    .toEqual([{ email: 'Grace@Hopper.example' }, { email: 'grace@hopper.example' }]);
  expect((await srv.api('/users-by-email?email=nobody%40hopper.example', { token: reader })).body).toEqual([]);
  const missing = await srv.api('/users-by-email', { token: reader });
  expect(missing.status).toBe(400);
  expect(missing.body).toMatchObject({ errorCode: 'invalid_query_string', message: expect.stringMatching(/email: required/) });
});

test('delete: 204, then 404; needs delete:users', async () => {
  await login('deleting', 'x');
  const id = 'oauth2|deleting|x';
  const denied = await srv.api(path(id), { method: 'DELETE', token: reader });
  expect(denied.status).toBe(403);
  expect(denied.body).toMatchObject({ errorCode: 'insufficient_scope', message: expect.stringMatching(/delete:users/) });
  const res = await srv.api(path(id), { method: 'DELETE' });
  expect(res.status).toBe(204);
  expect(await srv.server.store.users.get(id)).toBeNull();
  expect((await srv.api(path(id))).status).toBe(404);
  expect((await srv.api(path(id), { method: 'DELETE' })).status).toBe(404);
});

test('reading users needs read:users', async () => {
  const noUsers = await srv.tokenWith(['read:connections', 'delete:users']);
  for (const p of ['/users', path('oauth2|shape|42'), '/users-by-email?email=a%40b.c']) {
    const res = await srv.api(p, { token: noUsers });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, errorCode: 'insufficient_scope', message: expect.stringMatching(/read:users/) });
  }
  expect((await fetch(`${srv.issuer}api/v2/users`)).status).toBe(401);
});
