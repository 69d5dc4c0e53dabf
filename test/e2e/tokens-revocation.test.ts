import { decodeJwt } from 'jose';
import { clientCredentialsToken, startTestServer, type TestServer } from '../support/server.ts';

// A short bound keeps the suite quick; the default (5 s) is the same code with a larger number.
const CHECK_SECONDS = 1;
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ MGMT_TOKEN_CHECK_SECONDS: String(CHECK_SECONDS) });
});
afterAll(async () => {
  await srv.close();
});

const audience = (): string => `${srv.issuer}api/v2/`;

/** A new machine client with `scopes` at the Management API, its grant id and a token. */
async function machine(scopes: string[]): Promise<{ clientId: string; grantId: string; token: string; secret: string }> {
  const c = await srv.clientWith(scopes);
  const grants = await srv.api(`/client-grants?client_id=${c.client_id}`);
  const [grant] = grants.body as { id: string }[];
  const token = await clientCredentialsToken(srv.issuer, c.client_id, c.client_secret, audience());
  return { clientId: c.client_id, grantId: grant!.id, token, secret: c.client_secret };
}

const call = async (token: string, path = '/clients'): Promise<{ status: number; body: { message?: string } }> => {
  const res = await srv.api(path, { token });
  return { status: res.status, body: (res.body ?? {}) as { message?: string } };
};

/** Polls until `path` answers `status` with this token; fails when the bound (plus slack) passes first. */
async function answersWithinBound(token: string, status: number, path = '/clients'): Promise<{ status: number; body: { message?: string } }> {
  const deadline = Date.now() + CHECK_SECONDS * 1000 + 1500;
  for (;;) {
    const res = await call(token, path);
    if (res.status === status || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('deleting the client ends its Management tokens', async () => {
  const m = await machine(['read:clients']);
  expect((await call(m.token)).status).toBe(200);
  expect((await srv.api(`/clients/${m.clientId}`, { method: 'DELETE' })).status).toBe(204);
  const after = await answersWithinBound(m.token, 401);
  expect(after).toEqual({ status: 401, body: expect.objectContaining({ errorCode: 'invalid_token', message: expect.stringMatching(/client no longer exists/) }) });
});

test('deleting the client grant for api/v2 ends its Management tokens', async () => {
  const m = await machine(['read:clients']);
  expect((await call(m.token)).status).toBe(200);
  expect((await srv.api(`/client-grants/${m.grantId}`, { method: 'DELETE' })).status).toBe(204);
  const after = await answersWithinBound(m.token, 401);
  expect(after.status).toBe(401);
  expect(after.body.message).toMatch(/no longer has a grant for the Management API/);
  // the client itself still exists: only the grant went
  expect((await srv.api(`/clients/${m.clientId}`)).status).toBe(200);
});

test('narrowing the grant takes the removed scope from existing tokens (403), the kept one still works', async () => {
  const m = await machine(['read:clients', 'read:connections']);
  expect((await call(m.token, '/clients')).status).toBe(200);
  expect((await call(m.token, '/connections')).status).toBe(200);
  expect((await srv.api(`/client-grants/${m.grantId}`, { method: 'PATCH', body: { scope: ['read:connections'] } })).status).toBe(200);
  const after = await answersWithinBound(m.token, 403, '/clients');
  expect(after.status).toBe(403);
  expect(after.body.message).toMatch(/read:clients/);
  expect((await call(m.token, '/connections')).status).toBe(200);
  // widening again restores it for the same token (the token's own scopes are the ceiling)
  await srv.api(`/client-grants/${m.grantId}`, { method: 'PATCH', body: { scope: ['read:clients', 'read:connections'] } });
  expect((await answersWithinBound(m.token, 200, '/clients')).status).toBe(200);
});

test('POST /blacklists/tokens revokes one token by jti (401); another token of the same client keeps working', async () => {
  const m = await machine(['read:clients']);
  const other = await clientCredentialsToken(srv.issuer, m.clientId, m.secret, audience());
  const { jti } = decodeJwt(m.token);
  expect(typeof jti).toBe('string');
  expect((await call(m.token)).status).toBe(200);
  const added = await srv.api('/blacklists/tokens', { method: 'POST', body: { aud: audience(), jti } });
  expect(added.status).toBe(201);
  const after = await answersWithinBound(m.token, 401);
  expect(after.status).toBe(401);
  expect(after.body.message).toMatch(/revoked/);
  expect((await call(other)).status).toBe(200);
  const listed = await srv.api(`/blacklists/tokens?aud=${encodeURIComponent(audience())}`);
  expect(listed).toEqual({ status: 200, body: expect.arrayContaining([{ aud: audience(), jti }]) });
});

test('the blacklist takes the Auth0 scope blacklist:tokens and a well-formed body', async () => {
  const narrow = await srv.tokenWith(['read:clients']);
  const refused = await srv.api('/blacklists/tokens', { method: 'POST', body: { jti: 'x' }, token: narrow });
  expect(refused.status).toBe(403);
  expect((await srv.api('/blacklists/tokens', { token: narrow })).status).toBe(403);
  const bad = await srv.api('/blacklists/tokens', { method: 'POST', body: { aud: audience() } });
  expect(bad).toEqual({ status: 400, body: expect.objectContaining({ message: expect.stringMatching(/jti/) }) });
  // without aud the Management API audience is meant
  const token = await srv.tokenWith(['read:clients']);
  expect((await srv.api('/blacklists/tokens', { method: 'POST', body: { jti: decodeJwt(token).jti } })).status).toBe(201);
  expect((await answersWithinBound(token, 401)).status).toBe(401);
});
