import { createConnection } from '../support/connections.ts';
import { ADMIN_ID, ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ LOG_LEVEL: 'error' });
});
afterAll(async () => {
  await srv.close();
});

/** Raw Management API call with the admin token and a body sent exactly as given. */
async function raw(method: string, path: string, body?: string, contentType?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${srv.url}/api/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${await srv.adminToken()}`, ...(contentType ? { 'content-type': contentType } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

test('a path with broken percent-encoding is a 400 that says what is wrong, not a 500', async () => {
  for (const path of ['/clients/%', '/clients/%zz', '/connections/%E0%A4%A', '/client-grants/%', '/users/%']) {
    const res = await raw('GET', path);
    expect([path, res.status, res.body['errorCode']]).toEqual([path, 400, 'invalid_path']);
    expect(String(res.body['message'])).toMatch(/percent-encoding/);
  }
  // Well-formed encoding still reaches the route.
  expect((await raw('GET', '/clients/no%20such%20client')).status).toBe(404);
});

describe('a write whose body is not JSON is 415 and changes nothing', () => {
  let id: string;
  beforeAll(async () => {
    ({ id } = await createConnection(srv, 'plain', {
      authorizationURL: 'https://idp.example.test/authorize', tokenURL: 'https://idp.example.test/token', client_id: 'c', client_secret: 's',
      scripts: { fetchUserProfile: 'function(a, c, cb) { cb(null, { user_id: 1 }); }' },
    }));
  });

  const types = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', undefined];
  test.each(types)('PATCH /connections/:id with content-type %s', async (type) => {
    const before = await srv.server.store.connections.get(id);
    const res = await raw('PATCH', `/connections/${id}`, JSON.stringify({ display_name: 'Changed' }), type);
    expect([res.status, res.body['errorCode']]).toEqual([415, 'unsupported_media_type']);
    expect(String(res.body['message'])).toContain('application/json');
    const after = await srv.server.store.connections.get(id);
    expect(after?.version).toBe(before?.version);
    expect(after?.display_name).toBe(before?.display_name);
  });

  test('POST and PUT too; nothing is created', async () => {
    const before = (await raw('GET', '/clients')).body;
    const post = await raw('POST', '/clients', 'name=evil&app_type=spa', 'application/x-www-form-urlencoded');
    expect(post.status).toBe(415);
    expect((await raw('GET', '/clients')).body).toEqual(before);
    expect((await raw('PUT', `/connections/${id}`, '{}', 'text/plain')).status).toBe(415);
  });

  test('JSON with a charset is still read; bodiless writes are not affected', async () => {
    const res = await raw('PATCH', `/connections/${id}`, JSON.stringify({ display_name: 'Renamed' }), 'application/json; charset=utf-8');
    expect(res.status).toBe(200);
    expect(res.body['display_name']).toBe('Renamed');
    // The body parser reads application/json only, so a +json type would be silently ignored: refused too.
    const merged = await raw('PATCH', `/connections/${id}`, JSON.stringify({ display_name: 'Again' }), 'application/merge-patch+json');
    expect(merged.status).toBe(415);
    const created = await raw('POST', '/clients', JSON.stringify({ name: 'Temp', app_type: 'spa' }), 'application/json');
    expect(created.status).toBe(201);
    expect((await raw('DELETE', `/clients/${String(created.body['client_id'])}`)).status).toBeLessThan(300);
  });
});

test('/oauth/token with odd content types is a clean OAuth error, never a token or a 500', async () => {
  const body = JSON.stringify({ grant_type: 'client_credentials', client_id: ADMIN_ID, client_secret: ADMIN_SECRET, audience: `${srv.issuer}api/v2/` });
  for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json-seq', 'application/x-www-form-urlencoded;charset=utf-16', '']) {
    const res = await fetch(`${srv.url}/oauth/token`, { method: 'POST', headers: type ? { 'content-type': type } : {}, body });
    const answer = (await res.json()) as Record<string, unknown>;
    expect([type, res.status, answer['error'], answer['access_token']]).toEqual([type, 400, 'invalid_request', undefined]);
  }
});
