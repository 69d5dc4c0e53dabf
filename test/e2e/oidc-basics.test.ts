import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ADMIN_ID, ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.close();
});

async function discover(clientId = ADMIN_ID, secret = ADMIN_SECRET): Promise<client.Configuration> {
  return client.discovery(new URL(srv.issuer), clientId, secret, undefined, { execute: [client.allowInsecureRequests] });
}

test('discovery publishes Auth0 endpoint paths and only the code flow', async () => {
  const config = await discover();
  const meta = config.serverMetadata();
  expect(meta.issuer).toBe(srv.issuer);
  expect(srv.issuer.endsWith('/')).toBe(true);
  expect(meta.authorization_endpoint).toBe(`${srv.issuer}authorize`);
  expect(meta.token_endpoint).toBe(`${srv.issuer}oauth/token`);
  expect(meta.userinfo_endpoint).toBe(`${srv.issuer}userinfo`);
  expect(meta.jwks_uri).toBe(`${srv.issuer}.well-known/jwks.json`);
  expect(meta.revocation_endpoint).toBe(`${srv.issuer}oauth/revoke`);
  expect(meta.end_session_endpoint).toBe(`${srv.issuer}oidc/logout`);
  expect(meta.response_types_supported).toEqual(['code']);
  expect(meta.grant_types_supported).not.toContain('implicit');
  expect(meta.grant_types_supported).not.toContain('password');
  expect(meta.code_challenge_methods_supported).toEqual(['S256']);
  expect(meta.pushed_authorization_request_endpoint).toBeUndefined();
});

test('JWKS publishes the signing key and the next key, never private parts', async () => {
  const res = await fetch(`${srv.issuer}.well-known/jwks.json`);
  const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
  expect(keys).toHaveLength(2);
  for (const key of keys) {
    expect(key['kty']).toBe('RSA');
    expect(key['use']).toBe('sig');
    for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(part);
  }
});

test('client credentials with audience gives an Auth0-shaped JWT usable on the Management API', async () => {
  const config = await discover();
  const tokens = await client.clientCredentialsGrant(config, { audience: `${srv.issuer}api/v2/` });
  expect(tokens.token_type.toLowerCase()).toBe('bearer');
  expect(tokens.expires_in).toBe(86_400);
  const jwks = createRemoteJWKSet(new URL(`${srv.issuer}.well-known/jwks.json`));
  const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer: srv.issuer, audience: `${srv.issuer}api/v2/` });
  expect(protectedHeader.alg).toBe('RS256');
  expect(payload.sub).toBe(`${ADMIN_ID}@clients`);
  expect(payload['gty']).toBe('client-credentials');
  expect(String(payload['scope']).split(' ')).toEqual(expect.arrayContaining(['read:clients', 'create:connections', 'read:user_idp_tokens']));
  const res = await fetch(`${srv.issuer}api/v2/clients`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  expect(res.status).toBe(200);
  const list = (await res.json()) as { client_id: string }[];
  expect(list.map((c) => c.client_id)).toContain(ADMIN_ID);
});

test('the resource parameter works like audience, and a requested scope narrows the token', async () => {
  const config = await discover();
  const tokens = await client.clientCredentialsGrant(config, { resource: `${srv.issuer}api/v2/`, scope: 'read:clients' });
  expect(tokens.scope).toBe('read:clients');
});

test('an audience without a client grant is refused', async () => {
  const res = await fetch(`${srv.issuer}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: ADMIN_ID, client_secret: ADMIN_SECRET, audience: 'https://api.example.com/' }),
  });
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe('invalid_target');
  expect(body.error_description).toMatch(/client grant/);
});

test('a wrong client secret is refused', async () => {
  const res = await fetch(`${srv.issuer}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: ADMIN_ID, client_secret: 'nope', audience: `${srv.issuer}api/v2/` }),
  });
  expect(res.status).toBe(401);
  expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
});

test('health and readiness', async () => {
  expect((await fetch(`${srv.issuer}healthz`)).status).toBe(200);
  const ready = await fetch(`${srv.issuer}readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready', store: 'sqlite' });
});

test('the token endpoint answers bad bodies with OAuth errors: malformed JSON, nested members, repeated or oversized parameters', async () => {
  const post = (body: string, type: string) => fetch(`${srv.issuer}oauth/token`, { method: 'POST', headers: { 'content-type': type }, body });
  const cases: [Response, number, RegExp][] = [
    [await post('{"grant_type":', 'application/json'), 400, /JSON body cannot be parsed/],
    [await post('{"grant_type":"client_credentials","client_id":{"a":1}}', 'application/json'), 400, /"client_id" must be a string/],
    [await post('{"grant_type":"client_credentials","client_secret":"\\ud800"}', 'application/json'), 400, /"client_secret" is not well-formed text/],
    [await post(`grant_type=client_credentials&client_id=${ADMIN_ID}&client_id=other&client_secret=${ADMIN_SECRET}`, 'application/x-www-form-urlencoded'), 400, /client_id/],
    [await post(`grant_type=client_credentials&x=${'a'.repeat(60_000)}`, 'application/x-www-form-urlencoded'), 413, /too large/],
  ];
  for (const [res, status, message] of cases) {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).toMatch(message);
  }
});
