/** A 500 on a write path is a clean answer and leaves nothing behind (forced store failures). */
import { failWrites, storeSnapshot } from '../fuzz/store-snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let srv: TestServer;
let connectionId: string;
let clientId: string;
beforeAll(async () => {
  srv = await startTestServer();
  const client = await srv.api('/clients', { method: 'POST', body: { name: 'Existing', app_type: 'regular_web', callbacks: ['https://app.example.com/cb'] } });
  clientId = (client.body as { client_id: string }).client_id;
  const created = await srv.api('/connections', { method: 'POST', body: { name: 'existing', strategy: 'oauth2', options: OPTIONS } });
  connectionId = (created.body as { id: string }).id;
});
afterAll(async () => {
  await srv.close();
});

const OPTIONS = {
  authorizationURL: 'https://idp.example.com/authorize', tokenURL: 'https://idp.example.com/token', client_id: 'c', client_secret: 's',
  scripts: { fetchUserProfile: 'function(a, c, cb) { cb(null, { user_id: 1 }); }' },
};

/** What a failing disk throws: a message with an internal path, and a stack. */
const diskError = (): Error => new Error('SQLITE_IOERR: disk I/O error at /srv/brokerid/src/store/sqlite/db.ts:42 (node_modules/better-sqlite3)');

const WRITES: [string, () => [string, { method: string; body?: unknown }]][] = [
  ['POST /clients', () => ['/clients', { method: 'POST', body: { name: 'New app', app_type: 'regular_web' } }]],
  ['PATCH /clients/:id', () => [`/clients/${clientId}`, { method: 'PATCH', body: { name: 'Renamed' } }]],
  ['POST /clients/:id/rotate-secret', () => [`/clients/${clientId}/rotate-secret`, { method: 'POST' }]],
  ['POST /client-grants', () => ['/client-grants', { method: 'POST', body: { client_id: clientId, audience: 'https://api.example.com/', scope: ['read:x'] } }]],
  ['POST /connections', () => ['/connections', { method: 'POST', body: { name: 'new-one', strategy: 'oauth2', options: OPTIONS } }]],
  ['PATCH /connections/:id', () => [`/connections/${connectionId}`, { method: 'PATCH', body: { display_name: 'Renamed', options: OPTIONS } }]],
  ['PATCH /connections/:id/clients', () => [`/connections/${connectionId}/clients`, { method: 'PATCH', body: [{ client_id: clientId, status: true }] }]],
  ['DELETE /connections/:id', () => [`/connections/${connectionId}`, { method: 'DELETE' }]],
];

test.each(WRITES)('%s: a store that fails after validation gives a clean 500, nothing is written, and the same request works afterwards', async (_name, request) => {
  const [path, init] = request();
  await srv.adminToken();
  const before = await storeSnapshot(srv.server.store);
  const restore = failWrites(srv.server.store, diskError);
  let failed: { status: number; body: unknown };
  try {
    failed = await srv.api(path, init);
  } finally {
    restore();
  }
  expect(failed.status).toBe(500);
  expect(failed.body).toEqual({
    statusCode: 500, error: 'Internal Server Error', message: 'Internal error: the server could not complete the request', errorCode: 'internal_error',
  });
  expect(await storeSnapshot(srv.server.store)).toBe(before);
  const retried = await srv.api(path, init);
  expect(retried.status).toBeLessThan(300);
  expect(await storeSnapshot(srv.server.store)).not.toBe(before);
});
