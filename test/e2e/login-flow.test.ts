import * as client from 'openid-client';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnection } from '../support/connections.ts';
import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { login, registerApp, type TestApp } from '../support/app.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

// A fetchUserProfile in Auth0's callback style reading the emulator's OIDC userinfo (plus one extra field).
const auth0Style = (userinfo: string) => `function(accessToken, ctx, cb) {
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

// Auth0's documented sample script, verbatim but for its URL.
const AUTH0_SAMPLE = (url: string) => `function(accessToken, ctx, cb) {
  request.get(
    {
      url: '${url}',
      headers: {
        'Authorization': 'Bearer ' + accessToken
      }
    },
    (err, resp, body) => {
      if (err) {
        return cb(err);
      }
      if (resp.statusCode !== 200) {
        return cb(new Error(body));
      }
      let bodyParsed;
      try {
        bodyParsed = JSON.parse(body);
      } catch (jsonError) {
        return cb(new Error(body));
      }
      const profile = {
        user_id: bodyParsed.account.uuid,
        given_name: bodyParsed.account.name.first_name,
        family_name: bodyParsed.account.name.last_name,
        email: bodyParsed.account.email
      };
      cb(null, profile);
    }
  );
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
        customHeaders: { 'X-Api-Key': 'k-123' }, scripts: { fetchUserProfile: auth0Style(`${up.url}/userinfo`) },
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

test("Auth0's documented sample script runs unchanged against an API of the shape it expects", async () => {
  // The API the sample was written for: /userinfo answering { account: { uuid, name: {...}, email } } to a valid bearer token.
  const api: Server = createServer((req, res) => {
    const token = /^Bearer (gat_\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !up.tokensIssued.some((t) => t.accessToken === token)) return void res.writeHead(401).end('{"error":"invalid_token"}');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ account: { uuid: 'u-42', name: { first_name: 'Grace', last_name: 'Hopper' }, email: 'grace@example.com' } }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  try {
    await createConnection(srv, 'sample', {
      authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'upstream-client', client_secret: 'upstream-secret',
      authParams: { audience: 'https://upstream.api/', custom_param: 'x' }, customHeaders: { 'X-Api-Key': 'k-123' },
      scripts: { fetchUserProfile: AUTH0_SAMPLE(`http://127.0.0.1:${(api.address() as AddressInfo).port}/userinfo`) },
    }, { enabled_clients: [app.clientId] });
    const { tokens } = await login(app, new UserAgent(), { connection: 'sample' });
    expect(tokens!.claims()).toMatchObject({ sub: 'oauth2|sample|u-42', given_name: 'Grace', family_name: 'Hopper', email: 'grace@example.com' });
  } finally {
    await new Promise((r) => api.close(r));
  }
});
