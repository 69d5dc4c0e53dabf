/** Issue 11, row 2: stored JSON is bounded in depth and size before anything is written. */
import { checkProfile } from '../../src/users/profile.ts';
import { storeSnapshot } from '../fuzz/store-snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.close();
});

const OPTIONS = {
  authorizationURL: 'https://idp.example.com/authorize', tokenURL: 'https://idp.example.com/token', client_id: 'c', client_secret: 's',
  scripts: { fetchUserProfile: 'function(a, c, cb) { cb(null, { user_id: 1 }); }' },
};

/** JSON text of `{"a":{"a":…1…}}` nested `depth` levels (built as text: JSON.stringify itself would overflow). */
const deepJson = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Raw JSON request to the Management API (the body is already text). */
async function send(method: string, path: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${srv.url}/api/v2${path}`, {
    method, body, headers: { authorization: `Bearer ${await srv.adminToken()}`, 'content-type': 'application/json' },
  });
  return { status: res.status, text: await res.text() };
}

const withDeepOption = (depth: number): string => JSON.stringify({ ...OPTIONS }).replace(/}$/, `,"kept":${deepJson(depth)}}`);

test.each([1_200, 2_500, 10_000])('an unknown option nested %d levels deep is a 400 naming the field and the limit, and nothing is stored', async (depth) => {
  const before = await storeSnapshot(srv.server.store);
  const res = await send('POST', '/connections', `{"name":"deep-${depth}","strategy":"oauth2","options":${withDeepOption(depth)}}`);
  expect(res.status).toBe(400);
  const body = JSON.parse(res.text) as { message: string; errorCode: string };
  expect(body.errorCode).toBe('invalid_body');
  expect(body.message).toMatch(/^Payload validation error: options: nested more than 32 levels deep \(at most 32 levels/);
  expect(await storeSnapshot(srv.server.store)).toBe(before);
  expect((await srv.api(`/connections?name=deep-${depth}`)).body).toEqual([]);
});

test('a PATCH with deep options is refused, the stored connection is untouched and later PATCHes work', async () => {
  const created = await srv.api('/connections', { method: 'POST', body: { name: 'patched-deep', strategy: 'oauth2', options: { ...OPTIONS, kept: { a: { b: 1 } } } } });
  expect(created.status).toBe(201);
  const id = (created.body as { id: string }).id;
  const before = await srv.server.store.connections.get(id);
  const res = await send('PATCH', `/connections/${id}`, `{"options":${withDeepOption(1_200)}}`);
  expect(res.status).toBe(400);
  expect(res.text).toMatch(/options: nested more than 32 levels deep/);
  expect(await srv.server.store.connections.get(id)).toEqual(before);
  const later = await srv.api(`/connections/${id}`, { method: 'PATCH', body: { display_name: 'Still fine', options: { ...OPTIONS, kept: { deeper: { still: { fine: true } } } } } });
  expect(later.status).toBe(200);
  expect((later.body as { options: { kept: unknown } }).options.kept).toEqual({ deeper: { still: { fine: true } } });
});

test('options nested exactly 32 levels are kept as given', async () => {
  // options itself is level 1; the 31 objects of kept are levels 2 to 32.
  const res = await send('POST', '/connections', `{"name":"deep-ok","strategy":"oauth2","options":${withDeepOption(31)}}`);
  expect(res.status).toBe(201);
  expect(JSON.stringify((JSON.parse(res.text) as { options: { kept: unknown } }).options.kept)).toBe(deepJson(31));
  expect((await send('POST', '/connections', `{"name":"deep-over","strategy":"oauth2","options":${withDeepOption(32)}}`)).status).toBe(400);
});

test('options larger than 192 KB as JSON are a 400 naming the size limit', async () => {
  const before = await storeSnapshot(srv.server.store);
  const big = { ...OPTIONS, kept: Array.from({ length: 50 }, () => 'x'.repeat(4_000)) };
  const res = await srv.api('/connections', { method: 'POST', body: { name: 'too-big', strategy: 'oauth2', options: big } });
  expect(res.status).toBe(400);
  expect((res.body as { message: string }).message).toMatch(/options: 196 KB as JSON \(at most 192 KB are allowed\)/);
  expect(await storeSnapshot(srv.server.store)).toBe(before);
});

test('a profile script result nested too deep is refused before it reaches the user record', () => {
  let deep: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < 1_500; i++) deep = { a: deep };
  const check = checkProfile({ user_id: 'u1', extra: deep });
  expect(check).toEqual({ ok: false, message: expect.stringMatching(/^the profile is invalid: it is nested more than 32 levels deep/) as unknown });
  expect(checkProfile({ user_id: 'u1', extra: { a: { b: [1, { c: 2 }] } } }).ok).toBe(true);
});
