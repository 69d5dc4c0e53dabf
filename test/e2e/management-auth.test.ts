import { generateKeyPair, SignJWT } from 'jose';
import { join } from 'node:path';
import { createSecretBox } from '../../src/lib/secrets.ts';
import { privateJwks } from '../../src/oidc/keys.ts';
import { openStore } from '../../src/store/open.ts';
import { ADMIN_ID, clientCredentialsToken, startTestServer, type TestServer } from '../support/server.ts';

let srv: TestServer;
let narrowClient: { id: string; secret: string };
beforeAll(async () => {
  srv = await startTestServer();
  const body = await srv.clientWith(['read:clients']);
  narrowClient = { id: body.client_id, secret: body.client_secret };
  await srv.api('/client-grants', { method: 'POST', body: { client_id: narrowClient.id, audience: 'https://other.example/api', scope: ['read:things'] } });
});
afterAll(async () => {
  await srv.close();
});

/** Signs a token with the server's own current key (read from its store), for claims a real client cannot get. */
async function signWithServerKey(claims: Record<string, unknown>, expiresAt: number): Promise<string> {
  const store = await openStore({ kind: 'sqlite', file: join(srv.dataDir, 'store.sqlite') });
  const set = await store.keys.get();
  await store.close();
  const [jwk] = privateJwks(set!, createSecretBox(srv.config.secretsKey));
  const { importJWK } = await import('jose');
  const key = await importJWK(jwk as Parameters<typeof importJWK>[0], 'RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk!.kid }).setIssuer(srv.issuer)
    .setAudience(`${srv.issuer}api/v2/`).setIssuedAt(expiresAt - 3600).setExpirationTime(expiresAt).sign(key);
}

const get = (token: string | undefined, path = '/clients') =>
  fetch(`${srv.issuer}api/v2${path}`, token === undefined ? {} : { headers: { authorization: token } });

async function expectError(res: Response, status: number, errorCode: string, message: RegExp): Promise<void> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toEqual({ statusCode: status, error: expect.any(String), message: expect.stringMatching(message), errorCode });
}

test('401 without a token', async () => {
  await expectError(await get(undefined), 401, 'invalid_token', /Missing authentication/);
});

test('401 for a malformed Authorization header', async () => {
  await expectError(await get('Token abc'), 401, 'invalid_token', /Bearer/);
});

test('401 for garbage and for a token signed by a foreign key', async () => {
  await expectError(await get('Bearer not.a.jwt'), 401, 'invalid_token', /Invalid token/);
  const { privateKey } = await generateKeyPair('RS256');
  const forged = await new SignJWT({ scope: 'read:clients' }).setProtectedHeader({ alg: 'RS256' }).setIssuer(srv.issuer)
    .setAudience(`${srv.issuer}api/v2/`).setExpirationTime('1h').sign(privateKey);
  await expectError(await get(`Bearer ${forged}`), 401, 'invalid_token', /Invalid token/);
});

test('401 for an expired token signed by our own key', async () => {
  const expired = await signWithServerKey({ scope: 'read:clients' }, Math.floor(Date.now() / 1000) - 60);
  await expectError(await get(`Bearer ${expired}`), 401, 'invalid_token', /Expired/);
});

test('401 for a token of the right audience, key and issuer that does not come from client credentials', async () => {
  const userish = await signWithServerKey({ scope: 'read:clients', sub: 'oauth2|acme|42' }, Math.floor(Date.now() / 1000) + 600);
  await expectError(await get(`Bearer ${userish}`), 401, 'invalid_token', /client-credentials tokens only/);
  const machine = await signWithServerKey({ scope: 'read:clients', sub: `${ADMIN_ID}@clients`, azp: ADMIN_ID, gty: 'client-credentials', jti: 'j1' },
    Math.floor(Date.now() / 1000) + 600);
  expect((await get(`Bearer ${machine}`)).status).toBe(200);
});

test('401 for a machine token whose client does not exist, or without a jti', async () => {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const ghost = await signWithServerKey({ scope: 'read:clients', sub: 'ghost@clients', azp: 'ghost', gty: 'client-credentials', jti: 'j2' }, exp);
  await expectError(await get(`Bearer ${ghost}`), 401, 'invalid_token', /client no longer exists/);
  const noJti = await signWithServerKey({ scope: 'read:clients', sub: `${ADMIN_ID}@clients`, azp: ADMIN_ID, gty: 'client-credentials' }, exp);
  await expectError(await get(`Bearer ${noJti}`), 401, 'invalid_token', /no jti/);
});

test('401 for a valid token of another audience', async () => {
  const other = await clientCredentialsToken(srv.issuer, narrowClient.id, narrowClient.secret, 'https://other.example/api');
  await expectError(await get(`Bearer ${other}`), 401, 'invalid_token', /audience/);
});

test('403 when the token lacks the route scope; 200 with it', async () => {
  const narrow = await clientCredentialsToken(srv.issuer, narrowClient.id, narrowClient.secret, `${srv.issuer}api/v2/`);
  expect((await get(`Bearer ${narrow}`)).status).toBe(200);
  await expectError(await get(`Bearer ${narrow}`, '/client-grants'), 403, 'insufficient_scope', /read:client_grants/);
  const post = await fetch(`${srv.issuer}api/v2/clients`, {
    method: 'POST', headers: { authorization: `Bearer ${narrow}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x' }),
  });
  await expectError(post, 403, 'insufficient_scope', /create:clients/);
});

test('a client cannot get Management API scopes beyond its grant', async () => {
  await expect(clientCredentialsToken(srv.issuer, narrowClient.id, narrowClient.secret, `${srv.issuer}api/v2/`, 'create:clients'))
    .rejects.toThrow(/invalid_scope|scope/);
});
