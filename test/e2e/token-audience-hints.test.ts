import { ADMIN_ID, ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.ts';

// A newcomer's first Management token request: the answer must say exactly what to send.
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.close();
});

async function token(extra: Record<string, string>, json = false): Promise<{ status: number; body: { error: string; error_description: string } }> {
  const form = { grant_type: 'client_credentials', client_id: ADMIN_ID, client_secret: ADMIN_SECRET, ...extra };
  const res = await fetch(`${srv.issuer}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: json ? JSON.stringify(form) : new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as { error: string; error_description: string } };
}

test('client_credentials without audience says which audience to send, form or JSON', async () => {
  for (const json of [false, true]) {
    const { status, body } = await token({}, json);
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).toBe(
      `audience is required for client_credentials: send audience=${srv.issuer}api/v2/ (with the trailing slash) for the Management API`);
  }
});

test('the Management audience without its trailing slash gets a "did you mean"', async () => {
  for (const key of ['audience', 'resource']) {
    const extra = { [key]: `${srv.issuer}api/v2` };
    const { status, body } = await token(extra);
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_target');
    expect(body.error_description).toContain(`"${srv.issuer}api/v2"`);
    expect(body.error_description).toContain(`did you mean ${srv.issuer}api/v2/ (with the trailing slash)?`);
  }
});

test('a wrong secret without audience is still invalid_client: the hint never answers for an unauthenticated client', async () => {
  const { status, body } = await token({ client_secret: 'nope' });
  expect(status).toBe(401);
  expect(body.error).toBe('invalid_client');
});

test('other audiences without a grant keep their own message, and the right audience still works', async () => {
  const other = await token({ audience: 'https://api.example.com/' });
  expect(other.body.error).toBe('invalid_target');
  expect(other.body.error_description).not.toMatch(/did you mean/);
  const ok = await token({ audience: `${srv.issuer}api/v2/` });
  expect(ok.status).toBe(200);
});
