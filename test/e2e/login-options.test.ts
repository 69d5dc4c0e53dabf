import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { login, registerApp, type TestApp } from '../support/app.ts';
import { createConnection, userinfoScript } from '../support/connections.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

let srv: TestServer;
let up: Upstream;
let app: TestApp;
const base = () => ({
  authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up', client_secret: 'up-secret', token_endpoint_auth_method: 'client_secret_basic',
  scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) },
});
beforeAll(async () => {
  srv = await startTestServer();
  up = await startGeneric({ clientId: 'up', clientSecret: 'up-secret', redirectUris: [`${srv.issuer}login/callback`], scopes: 'any' });
  app = await registerApp(srv);
});
afterAll(async () => {
  await up.close();
  await srv.close();
});

async function scopeSent(name: string, options: Record<string, unknown>, params: Record<string, string> = {}): Promise<string | undefined> {
  await createConnection(srv, name, { ...base(), ...options }, { enabled_clients: [app.clientId] });
  const { tokens, callback } = await login(app, new UserAgent(), { connection: name, ...params });
  expect(callback.searchParams.get('error_description')).toBeNull();
  expect(tokens?.claims()?.sub).toBe(`oauth2|${name}|generic|1001`);
  return up.lastAuthorize?.query['scope'];
}

test('scope: a configured string goes as is, an array is joined with spaces', async () => {
  expect(await scopeSent('scope-str', { scope: 'openid email' })).toBe('openid email');
  expect(await scopeSent('scope-arr', { scope: ['openid', 'profile'] })).toBe('openid profile');
});

test('scope: connection_scope entries are appended and joined with a comma, or a space with useOauthSpecScope', async () => {
  expect(await scopeSent('scope-comma', { scope: ['openid', 'profile'] }, { connection_scope: 'repo,gist' })).toBe('openid,profile,repo,gist');
  expect(await scopeSent('scope-space', { scope: 'openid profile', useOauthSpecScope: true }, { connection_scope: 'repo gist' })).toBe('openid profile repo gist');
});

test('PKCE when pkce_enabled: S256 challenge upstream, verifier in the token request', async () => {
  await scopeSent('pkce', { pkce_enabled: true });
  const challenge = up.lastAuthorize!.query;
  expect(challenge['code_challenge_method']).toBe('S256');
  expect(challenge['code_challenge']).toMatch(/^[\w-]{43}$/);
  const form = up.lastToken!.body as Record<string, string>;
  expect(form['code_verifier']).toMatch(/^[\w-]{43,}$/);
});

test('without pkce_enabled no PKCE parameters are sent', async () => {
  await scopeSent('no-pkce', {});
  expect(up.lastAuthorize!.query).not.toHaveProperty('code_challenge');
  expect(up.lastToken!.body).not.toHaveProperty('code_verifier');
});

test('two logins in parallel in the same browser (two tabs) both succeed', async () => {
  await createConnection(srv, 'tabs', base(), { enabled_clients: [app.clientId] });
  const ua = new UserAgent();
  const [a, b] = await Promise.all([login(app, ua, { connection: 'tabs' }), login(app, ua, { connection: 'tabs' })]);
  expect(a.tokens?.claims()?.sub).toBe('oauth2|tabs|generic|1001');
  expect(b.tokens?.claims()?.sub).toBe('oauth2|tabs|generic|1001');
});

test('the async form of fetchUserProfile with fetch works', async () => {
  const script = `async function(accessToken, ctx) {
    const res = await fetch('${up.url}/userinfo', { headers: { Authorization: 'Bearer ' + accessToken } });
    const u = await res.json();
    return { user_id: u.sub, email: u.email, nickname: 'ada', token_type_seen: ctx.token_type };
  }`;
  await createConnection(srv, 'modern', { ...base(), scripts: { fetchUserProfile: script } }, { enabled_clients: [app.clientId] });
  const { tokens } = await login(app, new UserAgent(), { connection: 'modern' });
  const sub = tokens!.claims()!.sub;
  const user = (await srv.api(`/users/${encodeURIComponent(sub)}`)).body as Record<string, unknown>;
  expect(user).toMatchObject({ user_id: 'oauth2|modern|generic|1001', nickname: 'ada', email: 'ada@example.com', token_type_seen: 'Bearer' });
});

test('set_user_root_attributes: on_first_login keeps root attributes, on_each_login refreshes them', async () => {
  await createConnection(srv, 'first-only', { ...base(), set_user_root_attributes: 'on_first_login' }, { enabled_clients: [app.clientId] });
  await createConnection(srv, 'each', { ...base(), set_user_root_attributes: 'on_each_login' }, { enabled_clients: [app.clientId] });
  for (const name of ['first-only', 'each']) await login(app, new UserAgent(), { connection: name });
  up.signInAs({ sub: 'generic|1001', name: 'Ada King', email: 'ada@king.example', email_verified: true });
  for (const name of ['first-only', 'each']) await login(app, new UserAgent(), { connection: name });
  const first = (await srv.api(`/users/${encodeURIComponent('oauth2|first-only|generic|1001')}`)).body as Record<string, unknown>;
  const each = (await srv.api(`/users/${encodeURIComponent('oauth2|each|generic|1001')}`)).body as Record<string, unknown>;
  expect(first).toMatchObject({ name: 'Ada Lovelace', logins_count: 2 });
  expect(each).toMatchObject({ name: 'Ada King', email: 'ada@king.example', logins_count: 2 });
  up.signInAs({ sub: 'generic|1001', name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.com', email_verified: true });
});

test('a public upstream client (no secret): PKCE is used automatically and no secret is sent', async () => {
  const pub = await startGeneric({ clientId: 'public-app', redirectUris: [`${srv.issuer}login/callback`], scopes: 'any', pkce: 'required', clientAuth: 'client_secret_post' });
  try {
    await createConnection(srv, 'public', {
      authorizationURL: `${pub.url}/authorize`, tokenURL: `${pub.url}/token`, client_id: 'public-app', token_endpoint_auth_method: 'none',
      scripts: { fetchUserProfile: userinfoScript(`${pub.url}/userinfo`) },
    }, { enabled_clients: [app.clientId] });
    const { tokens, callback } = await login(app, new UserAgent(), { connection: 'public' });
    expect(callback.searchParams.get('error_description')).toBeNull();
    expect(tokens?.claims()?.sub).toBe('oauth2|public|generic|1001');
    expect(pub.lastAuthorize!.query['code_challenge_method']).toBe('S256');
    const sent = pub.lastToken!;
    expect(sent.body).toMatchObject({ client_id: 'public-app', code_verifier: expect.stringMatching(/^[\w-]{43,}$/) });
    expect(sent.body).not.toHaveProperty('client_secret');
    expect(sent.headers).not.toHaveProperty('authorization');
  } finally {
    await pub.close();
  }
});
