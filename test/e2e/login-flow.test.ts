import * as client from 'openid-client';
import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { login, registerApp, type TestApp } from '../support/app.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

// Auth0's documented sample fetchUserProfile, with only the URL pointing at the emulator.
const auth0Sample = (userinfo: string) => `function(accessToken, ctx, cb) {
  request.get({ url: '${userinfo}', headers: { 'Authorization': 'Bearer ' + accessToken } }, function(err, resp, body) {
    if (err) return cb(err);
    if (resp.statusCode !== 200) return cb(new Error(body));
    let bodyParsed;
    try { bodyParsed = JSON.parse(body); } catch (jsonError) { return cb(new Error(body)); }
    const profile = { user_id: bodyParsed.sub, given_name: bodyParsed.given_name, family_name: bodyParsed.family_name,
      name: bodyParsed.name, email: bodyParsed.email, email_verified: bodyParsed.email_verified, favorite_color: 'teal' };
    cb(null, profile);
  });
}`;

let srv: TestServer;
let up: Upstream;
let app: TestApp;
beforeAll(async () => {
  srv = await startTestServer();
  up = await startGeneric({
    clientId: 'upstream-client', clientSecret: 'upstream-secret', redirectUris: [`${srv.issuer}login/callback`], clientAuth: 'client_secret_post',
    requireAuthorizeParams: { audience: 'https://upstream.api/', custom_param: true }, requireTokenHeaders: { 'x-api-key': 'k-123' },
  });
  app = await registerApp(srv);
  const created = await srv.api('/connections', {
    method: 'POST',
    body: {
      name: 'acme', strategy: 'oauth2', display_name: 'Acme', enabled_clients: [app.clientId],
      options: {
        authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, scope: ['openid', 'profile', 'email'],
        client_id: 'upstream-client', client_secret: 'upstream-secret',
        authParams: { audience: 'https://upstream.api/' }, authParamsMap: { custom_param: 'access_type' },
        customHeaders: { 'X-Api-Key': 'k-123' }, scripts: { fetchUserProfile: auth0Sample(`${up.url}/userinfo`) },
      },
    },
  });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await up.close();
  await srv.close();
});

test('a user signs in through the connection; the app gets a verified id_token and /userinfo agrees', async () => {
  const ua = new UserAgent();
  const { tokens, callback } = await login(app, ua, { connection: 'acme', access_type: 'offline' });
  expect(callback.searchParams.get('error')).toBeNull();
  const claims = tokens!.claims()!;
  expect(claims.sub).toBe('oauth2|acme|generic|1001');
  expect(claims.iss).toBe(srv.issuer);
  expect(claims.aud).toBe(app.clientId);
  expect(claims).toMatchObject({ email: 'ada@example.com', email_verified: true, name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace' });
  const info = await client.fetchUserInfo(app.config, tokens!.access_token, claims.sub);
  expect(info).toMatchObject({ sub: claims.sub, email: 'ada@example.com', name: 'Ada Lovelace' });

  // What the upstream received: the authorization request and the token request.
  const authorize = up.lastAuthorize!;
  expect(authorize.query).toMatchObject({ response_type: 'code', client_id: 'upstream-client', redirect_uri: `${srv.issuer}login/callback`,
    scope: 'openid profile email', audience: 'https://upstream.api/', custom_param: 'offline' });
  expect(authorize.query['state']).toMatch(/^[\w-]{20,}$/);
  expect(authorize.query).not.toHaveProperty('access_type');
  expect(authorize.headers).not.toHaveProperty('x-api-key');
  const token = up.lastToken!;
  expect(token.headers['x-api-key']).toBe('k-123');
  // The browser went from our /authorize straight to the upstream: no page in between.
  const hosts = ua.visited.map((p) => new URL(p.url).port);
  expect(hosts.slice(0, 3)).toEqual([String(srv.server.port), String(srv.server.port), String(up.port)]);
});
