import request from 'supertest';
import { userinfoScript } from '../support/connections.ts';
import { registerSdkApp, sdkLogin, startSdkServer, tokenRequest, type SdkApp, type SdkServer } from '../support/management-sdk.ts';
import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { UserAgent } from '../support/user-agent.ts';

/** PATCH /api/v2/users/:id through the Auth0 SDK (users.update) and supertest, and what blocking does to a real login. */

let s: SdkServer;
let up: Upstream;
let app: SdkApp;
let connectionId: string;
let admin: string | undefined;
type Json = Record<string, unknown>;

beforeAll(async () => {
  s = await startSdkServer();
  up = await startGeneric({ clientId: 'up-client', clientSecret: 'up-secret', redirectUris: [`${s.srv.issuer}login/callback`], clientAuth: 'client_secret_post' });
  app = await registerSdkApp(s);
  const created = await s.sdk().connections.create({
    name: 'acme', strategy: 'oauth2', enabled_clients: [app.clientId],
    options: { authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up-client', client_secret: 'up-secret',
      scope: ['openid', 'profile', 'email', 'offline_access'],
      scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) } },
  });
  connectionId = created.id!;
});
afterAll(async () => {
  await up.close();
  await s.srv.close();
});

/** A user made by a real login through the loopback upstream; its id. */
async function signIn(sub: string, name = 'Ada Lovelace'): Promise<string> {
  up.signInAs({ sub, name, email: `${sub}@example.com`, email_verified: true });
  const { tokens, callback } = await sdkLogin(s, app, new UserAgent(), 'acme');
  if (!tokens?.id_token) throw new Error(`login failed: ${callback.toString()}`);
  return `oauth2|acme|${sub}`;
}

/** supertest against the TLS server, as the admin (or with `token`). */
async function patch(userId: string, body: unknown, token?: string) {
  return request(s.srv.url).patch(`/api/v2/users/${encodeURIComponent(userId)}`).ca(s.ca)
    .set('authorization', `Bearer ${token ?? (admin ??= await s.token())}`).set('content-type', 'application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body));
}

test('a real login writes the identity in Auth0\'s shape', async () => {
  const id = await signIn('shape-1');
  const user = await s.sdk().users.get(id);
  expect(user.identities).toEqual([expect.objectContaining({ provider: 'oauth2', connection: 'acme', user_id: 'acme|shape-1', isSocial: true,
    profileData: expect.objectContaining({ email: 'shape-1@example.com' }) })]);
});

test('metadata merges at the first level: null removes a key, nested objects are replaced; blocked shows in the view', async () => {
  const id = await signIn('meta-1');
  const sdk = s.sdk();
  await sdk.users.update(id, { user_metadata: { theme: 'dark', prefs: { a: 1, b: 2 }, gone: true }, app_metadata: { plan: 'gold' } });
  const updated = await sdk.users.update(id, { user_metadata: { prefs: { c: 3 }, gone: null, lang: 'de' }, blocked: false });
  expect(updated.user_metadata).toEqual({ theme: 'dark', prefs: { c: 3 }, lang: 'de' });
  expect(updated.app_metadata).toEqual({ plan: 'gold' });
  expect(updated.blocked).toBe(false);
  expect(await sdk.users.get(id)).toMatchObject({ user_metadata: { theme: 'dark', prefs: { c: 3 }, lang: 'de' }, app_metadata: { plan: 'gold' }, blocked: false });
  // A later login keeps the metadata.
  await signIn('meta-1');
  expect(await sdk.users.get(id)).toMatchObject({ user_metadata: { theme: 'dark', prefs: { c: 3 }, lang: 'de' }, logins_count: 2 });
});

test('root attributes: refused while the connection refreshes them at each login, editable and kept with on_first_login', async () => {
  const id = await signIn('root-1');
  const refused = await patch(id, { name: 'Edited', user_metadata: { x: 1 } });
  expect(refused.status).toBe(400);
  expect(refused.body).toMatchObject({ statusCode: 400, errorCode: 'invalid_body',
    message: expect.stringMatching(/name: .*connection "acme".*set_user_root_attributes to "on_first_login"/) });
  expect(refused.body.message).toContain(`/api/v2/connections/${connectionId}`);
  // Nothing was written, not even the metadata of the same body.
  expect((await s.sdk().users.get(id)).user_metadata).toEqual({});

  await s.sdk().connections.update(connectionId, { options: { ...(await s.sdk().connections.get(connectionId)).options, set_user_root_attributes: 'on_first_login' } });
  try {
    const updated = await s.sdk().users.update(id, { name: 'Edited', nickname: 'ed', email: 'Edited@Example.com', email_verified: false });
    expect(updated).toMatchObject({ name: 'Edited', nickname: 'ed', email: 'Edited@Example.com', email_verified: false });
    expect((await s.sdk().users.listUsersByEmail({ email: 'edited@example.com' })).map((u) => u.user_id)).toEqual([id]);
    await signIn('root-1');
    expect(await s.sdk().users.get(id)).toMatchObject({ name: 'Edited', email: 'Edited@Example.com', logins_count: 2 });
  } finally {
    const options = (await s.sdk().connections.get(connectionId)).options as Json;
    delete options['set_user_root_attributes'];
    await s.sdk().connections.update(connectionId, { options });
  }
});

test('bad bodies are 400 naming the field, and write nothing', async () => {
  const id = await signIn('bad-1');
  await s.sdk().users.update(id, { user_metadata: { keep: 1 } });
  const before = await s.sdk().users.get(id);
  const deep: Json = {};
  let cursor = deep;
  for (let i = 0; i < 12; i++) cursor = (cursor['n'] = {}) as Json;
  const cases: [unknown, RegExp][] = [
    [{ username: 'x' }, /Additional properties not allowed: username/],
    [{ blocked: 'yes' }, /blocked: /],
    [{ user_metadata: 'text' }, /user_metadata: /],
    [{ user_metadata: { 'a.b': 1 } }, /user_metadata: field name "a\.b" must be/],
    [{ app_metadata: { $where: 1 } }, /app_metadata: field name "\$where" must be/],
    [{ user_metadata: { nested: { $gt: 1 } } }, /user_metadata: nested: field name "\$gt"/],
    // As JSON.parse reads it: an own "__proto__" key, which a merge would turn into a prototype.
    ['{"user_metadata":{"__proto__":{"polluted":true}}}', /user_metadata: field name "__proto__" must be/],
    [{ user_metadata: deep }, /user_metadata: nested more than 10 levels deep/],
    [{ user_metadata: { big: 'x'.repeat(70 * 1024) } }, /user_metadata: .*at most 64 KB/],
    [{ email_verified: 'true' }, /email_verified: /],
    [[1, 2], /body: /],
  ];
  for (const [body, message] of cases) {
    const res = await patch(id, body);
    expect({ body, status: res.status }).toEqual({ body, status: 400 });
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', errorCode: 'invalid_body', message: expect.stringMatching(message) });
  }
  // Each half fits, the merge would not.
  await s.sdk().users.update(id, { user_metadata: { a: 'x'.repeat(40 * 1024) } });
  const merged = await patch(id, { user_metadata: { b: 'y'.repeat(40 * 1024) } });
  expect(merged.status).toBe(400);
  expect(merged.body.message).toMatch(/user_metadata: too large after the merge .*setting them to null/);
  const after = await s.sdk().users.get(id);
  expect({ ...after, user_metadata: undefined, updated_at: undefined }).toEqual({ ...before, user_metadata: undefined, updated_at: undefined });
  expect(after.user_metadata).toEqual({ keep: 1, a: 'x'.repeat(40 * 1024) });
});

test('PATCH needs update:users; a missing user is 404', async () => {
  const id = await signIn('scope-1');
  const reader = await s.token(['read:users']);
  const denied = await patch(id, { blocked: true }, reader);
  expect(denied.status).toBe(403);
  expect(denied.body).toMatchObject({ errorCode: 'insufficient_scope', message: expect.stringMatching(/update:users/) });
  expect((await s.sdk().users.get(id)).blocked).toBeUndefined();
  const missing = await patch('oauth2|acme|nobody', { blocked: true });
  expect(missing.status).toBe(404);
  expect(missing.body).toMatchObject({ statusCode: 404, message: expect.stringMatching(/oauth2\|acme\|nobody/) });
});

test('blocking ends sessions and refresh tokens; a blocked user\'s login ends with access_denied and no code; unblocking restores it', async () => {
  up.signInAs({ sub: 'blocked-1', name: 'Bob', email: 'bob@example.com', email_verified: true });
  const ua = new UserAgent();
  const first = await sdkLogin(s, app, ua, 'acme');
  expect(first.tokens?.refresh_token).toEqual(expect.any(String));
  const id = 'oauth2|acme|blocked-1';
  const refreshOk = await tokenRequest(s, app, { grant_type: 'refresh_token', refresh_token: first.tokens!.refresh_token! });
  expect(refreshOk.status).toBe(200);

  const blocked = await s.sdk().users.update(id, { blocked: true });
  expect(blocked.blocked).toBe(true);
  const refresh = await tokenRequest(s, app, { grant_type: 'refresh_token', refresh_token: refreshOk.body.refresh_token ?? first.tokens!.refresh_token! });
  expect(refresh).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  const before = await s.sdk().users.get(id);

  // The same browser (its session ended) and a fresh one: both are refused at the callback.
  for (const agent of [ua, new UserAgent()]) {
    const { callback, tokens } = await sdkLogin(s, app, agent, 'acme');
    expect(tokens).toBeUndefined();
    expect(callback.searchParams.get('code')).toBeNull();
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('error_description')).toBe('user is blocked');
  }
  // A refused login writes nothing.
  expect((await s.sdk().users.get(id)).logins_count).toBe(before.logins_count);

  await s.sdk().users.update(id, { blocked: false });
  const again = await sdkLogin(s, app, new UserAgent(), 'acme');
  expect(again.tokens?.id_token).toEqual(expect.any(String));
});
