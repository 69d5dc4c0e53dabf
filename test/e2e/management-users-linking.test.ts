import request from 'supertest';
import { userinfoScript } from '../support/connections.ts';
import { registerSdkApp, sdkLogin, startSdkServer, tokenRequest, type SdkApp, type SdkServer, type TokenAnswer } from '../support/management-sdk.ts';
import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { UserAgent } from '../support/user-agent.ts';

/**
 * Account linking through the Auth0 SDK (users.identities.link / users.identities.delete) and
 * supertest, with real logins through a loopback upstream before and after.
 */

let s: SdkServer;
let up: Upstream;
let app: SdkApp;
let admin: string;
const connectionIds: Record<string, string> = {};
type Json = Record<string, unknown>;

beforeAll(async () => {
  s = await startSdkServer();
  up = await startGeneric({ clientId: 'up-client', clientSecret: 'up-secret', redirectUris: [`${s.srv.issuer}login/callback`], clientAuth: 'client_secret_post' });
  app = await registerSdkApp(s);
  for (const name of ['acme', 'other', 'third']) {
    const created = await s.sdk().connections.create({
      name, strategy: 'oauth2', enabled_clients: [app.clientId],
      options: { authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up-client', client_secret: 'up-secret',
        scope: ['openid', 'profile', 'email', 'offline_access'], scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) } },
    });
    connectionIds[name] = created.id!;
  }
  admin = await s.token();
});
afterAll(async () => {
  await up.close();
  await s.srv.close();
});

const claimsOf = (t: TokenAnswer | undefined): Json => JSON.parse(Buffer.from((t?.id_token ?? '').split('.')[1] ?? '', 'base64url').toString()) as Json;

/** A real login through `connection` as upstream user `sub`; the tokens the app got. */
async function signIn(connection: string, sub: string, name = `User ${sub}`): Promise<TokenAnswer> {
  up.signInAs({ sub, name, email: `${sub}@example.com`, email_verified: true });
  const { tokens, callback } = await sdkLogin(s, app, new UserAgent(), connection);
  if (!tokens?.id_token) throw new Error(`login failed: ${callback.toString()}`);
  return tokens;
}

const link = (primary: string, body: unknown, token = admin) =>
  request(s.srv.url).post(`/api/v2/users/${encodeURIComponent(primary)}/identities`).ca(s.ca).set('authorization', `Bearer ${token}`).send(body as object);

test('link: the secondary\'s identity moves onto the primary, the secondary is gone, and its identity now signs in the primary', async () => {
  await signIn('acme', 'p1', 'Primary Person');
  const secondaryTokens = await signIn('other', '9', 'Secondary Person');
  const [primary, secondary] = ['oauth2|acme|p1', 'oauth2|other|9'];
  const sdk = s.sdk();
  await sdk.users.update(secondary, { user_metadata: { from: 'secondary' } });

  const identities = await sdk.users.identities.link(primary, { provider: 'oauth2', user_id: secondary });
  expect(identities).toEqual([
    expect.objectContaining({ provider: 'oauth2', connection: 'acme', user_id: 'acme|p1', isSocial: true }),
    expect.objectContaining({ provider: 'oauth2', connection: 'other', user_id: 'other|9', isSocial: true, profileData: expect.objectContaining({ name: 'Secondary Person' }) }),
  ]);
  await expect(sdk.users.get(secondary)).rejects.toMatchObject({ statusCode: 404 });
  // The secondary's sessions and refresh tokens ended with it.
  expect(await tokenRequest(s, app, { grant_type: 'refresh_token', refresh_token: secondaryTokens.refresh_token! })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  // The moved identity keeps its upstream tokens (sealed for the identity, not the user): readable and refreshable on the primary.
  const shown = await sdk.users.get(primary);
  expect(shown.identities?.[1]).toMatchObject({ connection: 'other', access_token: expect.stringMatching(/^gat_/) });
  const refreshed = await request(s.srv.url).post(`/api/v2/users/${encodeURIComponent(primary)}/identities/other/refresh`).ca(s.ca).set('authorization', `Bearer ${admin}`);
  expect(refreshed.status).toBe(200);

  // A login through the linked identity yields the PRIMARY user, whose profile stays its own.
  const after = await signIn('other', '9', 'Secondary Renamed');
  expect(claimsOf(after)).toMatchObject({ sub: primary, name: 'Primary Person' });
  expect(await sdk.users.get(primary)).toMatchObject({ user_id: primary, name: 'Primary Person', logins_count: 2 });
  await expect(sdk.users.get(secondary)).rejects.toMatchObject({ statusCode: 404 });
  // The primary's own identity still signs it in.
  expect(claimsOf(await signIn('acme', 'p1', 'Primary Person'))['sub']).toBe(primary);
});

test('Auth0\'s form (provider + the identity\'s user_id, connection_id) links too', async () => {
  await signIn('acme', 'p2');
  await signIn('other', '10');
  const res = await link('oauth2|acme|p2', { provider: 'oauth2', user_id: 'other|10', connection_id: connectionIds['other'] });
  expect(res.status).toBe(201);
  expect((res.body as Json[]).map((i) => i['user_id'])).toEqual(['acme|p2', 'other|10']);
  expect(claimsOf(await signIn('other', '10'))['sub']).toBe('oauth2|acme|p2');
});

test('link refusals: itself 400, a missing secondary 404, an identity linked elsewhere or a connection taken 409; nothing changes', async () => {
  await signIn('acme', 'p3');
  await signIn('other', '11');
  await signIn('third', 't3');
  await signIn('acme', 'p4');
  const primary = 'oauth2|acme|p3';
  expect((await link(primary, { provider: 'oauth2', user_id: 'oauth2|third|t3' })).status).toBe(201);
  const before = await s.sdk().users.get(primary);
  const cases: [unknown, number, RegExp][] = [
    [{ provider: 'oauth2', user_id: primary }, 400, /Main identity and the new one are the same/],
    [{ provider: 'oauth2', user_id: 'acme|p3' }, 400, /Main identity and the new one are the same/],
    [{ provider: 'oauth2', user_id: 'oauth2|other|nobody' }, 404, /Secondary user not found: .*oauth2\|other\|nobody/],
    [{ provider: 'oauth2', user_id: 'oauth2|third|t3' }, 409, /already linked to this user/],
    [{ provider: 'oauth2', user_id: 'oauth2|acme|p4' }, 409, /already has an identity at a connection of "oauth2\|acme\|p4".*unlink/],
    [{ provider: 'oauth2', user_id: 'oauth2|other|11', connection_id: connectionIds['acme'] }, 400, /connection_id: is connection "acme"; the secondary user's identity is at connection "other"/],
    [{ provider: 'oauth2' }, 400, /user_id: required/],
    [{ provider: 'oauth2', user_id: 'oauth2|other|11', extra: 1 }, 400, /Additional properties not allowed: extra/],
    [{ link_with: 'eyJ...' }, 400, /link_with: linking with the secondary account's token is not supported/],
  ];
  for (const [body, status, message] of cases) {
    const res = await link(primary, body);
    expect({ body, status: res.status }).toEqual({ body, status });
    expect(res.body).toMatchObject({ statusCode: status, message: expect.stringMatching(message) });
  }
  // From another primary: the identity already sits on p3.
  const elsewhere = await link('oauth2|other|11', { provider: 'oauth2', user_id: 'third|t3' });
  expect(elsewhere.status).toBe(409);
  expect(elsewhere.body.message).toMatch(/"oauth2\|third\|t3" is already linked to user "oauth2\|acme\|p3": unlink it there first/);
  expect((await link('oauth2|acme|nobody', { provider: 'oauth2', user_id: 'oauth2|other|11' })).status).toBe(404);
  expect(await s.sdk().users.get(primary)).toEqual(before);
  for (const id of ['oauth2|other|11', 'oauth2|acme|p4']) expect((await s.sdk().users.get(id)).user_id).toBe(id);
  // Linking needs update:users.
  const reader = await s.token(['read:users']);
  const denied = await link(primary, { provider: 'oauth2', user_id: 'oauth2|other|11' }, reader);
  expect(denied.status).toBe(403);
  expect(denied.body.message).toMatch(/update:users/);
});

test('unlink: the identity becomes a user of its own again (Auth0 answers the remaining identities); the main identity cannot leave', async () => {
  await signIn('acme', 'p5', 'Five');
  await signIn('other', '12', 'Twelve');
  const sdk = s.sdk();
  await sdk.users.identities.link('oauth2|acme|p5', { provider: 'oauth2', user_id: 'oauth2|other|12' });

  const remaining = await sdk.users.identities.delete('oauth2|acme|p5', 'oauth2', 'other|12');
  expect(remaining).toEqual([expect.objectContaining({ provider: 'oauth2', connection: 'acme', user_id: 'acme|p5' })]);
  expect(await sdk.users.get('oauth2|other|12')).toMatchObject({ user_id: 'oauth2|other|12', name: 'Twelve', email: '12@example.com', logins_count: 0,
    identities: [expect.objectContaining({ connection: 'other', user_id: 'other|12' })] });
  expect((await sdk.users.get('oauth2|acme|p5')).identities).toHaveLength(1);
  expect(claimsOf(await signIn('other', '12', 'Twelve'))['sub']).toBe('oauth2|other|12');
  expect((await sdk.users.get('oauth2|other|12')).logins_count).toBe(1);

  const unlinkOf = (user: string, provider: string, id: string) => request(s.srv.url)
    .delete(`/api/v2/users/${encodeURIComponent(user)}/identities/${provider}/${encodeURIComponent(id)}`).ca(s.ca).set('authorization', `Bearer ${admin}`);
  const main = await unlinkOf('oauth2|acme|p5', 'oauth2', 'acme|p5');
  expect(main.status).toBe(400);
  expect(main.body.message).toMatch(/Main identity cannot be removed/);
  const gone = await unlinkOf('oauth2|acme|p5', 'oauth2', 'other|12');
  expect(gone.status).toBe(404);
  expect(gone.body.message).toMatch(/has no linked identity "oauth2\|other\|12"/);
  expect((await unlinkOf('oauth2|acme|nobody', 'oauth2', 'other|12')).status).toBe(404);
});
