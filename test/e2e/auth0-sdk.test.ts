import { ManagementError } from 'auth0';
import { startSdkServer, type SdkServer } from '../support/auth0-sdk.ts';
import type { TestServer } from '../support/server.ts';

/** The official Auth0 Node SDK (`auth0` package) against this server (see test/support/auth0-sdk.ts). */

let srv: TestServer;
let sdk: SdkServer['sdk'];

beforeAll(async () => {
  ({ srv, sdk } = await startSdkServer());
});
afterAll(async () => {
  await srv.close();
});

test('create / get / update / list / delete a connection through the Auth0 SDK', async () => {
  const management = sdk();
  const client = await management.clients.create({ name: 'sdk app', app_type: 'regular_web', callbacks: ['https://app.example/cb'] });
  const created = await management.connections.create({
    name: 'sdk-acme',
    display_name: 'Acme',
    strategy: 'oauth2',
    enabled_clients: [client.client_id!],
    options: {
      authorizationURL: 'https://acme.example/authorize',
      tokenURL: 'https://acme.example/token',
      client_id: 'acme-client',
      client_secret: 'acme-secret-value',
      scope: ['openid', 'email'],
      customHeaders: { 'X-Api-Key': 'acme-header-secret' },
      scripts: { fetchUserProfile: 'function (t, c, cb) { cb(null, { user_id: "1" }); }' },
    },
  });
  expect(created.id).toMatch(/^con_/);
  expect(created).toMatchObject({ name: 'sdk-acme', display_name: 'Acme', strategy: 'oauth2', enabled_clients: [client.client_id], realms: ['sdk-acme'] });
  expect(created.options).not.toHaveProperty('client_secret');
  expect(created.options).toMatchObject({ customHeaders: { 'X-Api-Key': '********' } });

  const got = await management.connections.get(created.id!);
  expect(got).toEqual(created);

  const updated = await management.connections.update(created.id!, { metadata: { owner: 'sdk' }, show_as_button: false });
  expect(updated).toMatchObject({ id: created.id, display_name: 'Acme', metadata: { owner: 'sdk' }, show_as_button: false });

  const page = await management.connections.list({ strategy: ['oauth2'], name: 'sdk-acme' });
  expect(page.data.map((c) => c.id)).toEqual([created.id]);

  const enabled = await management.connections.clients.get(created.id!);
  expect(enabled.data.map((c) => c.client_id)).toEqual([client.client_id]);
  await management.connections.clients.update(created.id!, [{ client_id: client.client_id!, status: false }]);
  expect((await management.connections.get(created.id!)).enabled_clients).toEqual([]);

  await management.connections.delete(created.id!);
  await expect(management.connections.get(created.id!)).rejects.toMatchObject({ statusCode: 404 });
});

test('the SDK surfaces this server\'s Auth0-shaped errors', async () => {
  const management = sdk();
  let error: unknown;
  try {
    await management.connections.create({ name: 'bad name', strategy: 'oauth2' });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ManagementError);
  expect(error).toMatchObject({ statusCode: 400, body: { statusCode: 400, error: 'Bad Request', errorCode: 'invalid_body',
    message: expect.stringMatching(/^Payload validation error: name: /) } });
});

test('users made by a custom connection read and delete through the SDK', async () => {
  const management = sdk();
  await srv.server.store.users.upsertLogin({
    user_id: 'oauth2|sdk-users|7', identity: { provider: 'oauth2', connection: 'sdk-users', user_id: '7', isSocial: true },
    root: { email: 'seven@sdk.example', name: 'Seven' }, extra: {}, setRootAttributes: 'on_each_login', now: new Date().toISOString(),
  });
  const user = await management.users.get('oauth2|sdk-users|7');
  expect(user).toMatchObject({ user_id: 'oauth2|sdk-users|7', email: 'seven@sdk.example', logins_count: 1,
    identities: [{ provider: 'oauth2', connection: 'sdk-users', user_id: '7', isSocial: true }] });
  const page = await management.users.list({ q: 'identities.connection:"sdk-users"', search_engine: 'v3' });
  expect(page.data.map((u) => u.user_id)).toEqual(['oauth2|sdk-users|7']);
  expect((await management.users.listUsersByEmail({ email: 'SEVEN@sdk.example' })).map((u) => u.user_id)).toEqual(['oauth2|sdk-users|7']);
  await management.users.delete('oauth2|sdk-users|7');
  await expect(management.users.get('oauth2|sdk-users|7')).rejects.toMatchObject({ statusCode: 404 });
});
