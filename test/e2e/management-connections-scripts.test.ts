import { readdirSync, readFileSync } from 'node:fs';
import { ManagementError } from 'auth0';
import request from 'supertest';
import { startSdkServer, type SdkServer } from '../support/management-sdk.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * options.scripts on create and PATCH: optional as in Auth0, and every script compiled in the
 * sandbox when saved, so a script that cannot run is refused with where and why.
 */

let srv: TestServer;
let sandboxPids: number[];
let sdkServer: SdkServer;
type Json = Record<string, unknown>;

/** Sandbox processes are this process's children running the sandbox worker. */
function sandboxChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('sandbox/worker.ts')) pids.push(Number(entry));
    } catch {
      // the process ended while it was being read
    }
  }
  return pids;
}

beforeAll(async () => {
  const before = new Set(sandboxChildren());
  srv = await startTestServer({ SCRIPT_TIMEOUT_MS: '1000' });
  sandboxPids = sandboxChildren().filter((pid) => !before.has(pid));
  sdkServer = await startSdkServer();
});
afterAll(async () => {
  await Promise.all([srv.close(), sdkServer.srv.close()]);
});

const api = () => request(srv.url);
const auth = async () => `Bearer ${await srv.adminToken()}`;
const post = async (body: Json) => api().post('/api/v2/connections').set('authorization', await auth()).send(body);
const patch = async (id: string, body: Json) => api().patch(`/api/v2/connections/${id}`).set('authorization', await auth()).send(body);
const byName = async (name: string) => (await srv.server.store.connections.getByName(name)) ?? null;

let n = 0;
const options = (scripts?: Json): Json => ({
  authorizationURL: 'https://provider.example/authorize', tokenURL: 'https://provider.example/token',
  client_id: 'c', client_secret: 's', scope: 'openid', ...(scripts ? { scripts } : {}),
});
const GOOD = 'function (accessToken, ctx, cb) {\n  cb(null, { user_id: "1" });\n}';

describe('scripts are optional', () => {
  test('the Auth0 SDK creates a connection without options.scripts, and adds a script later', async () => {
    const management = sdkServer.sdk();
    const created = await management.connections.create({
      name: 'sdk-no-script', strategy: 'oauth2',
      options: { authorizationURL: 'https://acme.example/authorize', tokenURL: 'https://acme.example/token', client_id: 'acme', client_secret: 'acme-secret', scope: 'openid email' },
    });
    expect(created).toMatchObject({ name: 'sdk-no-script', strategy: 'oauth2' });
    expect(created.options).not.toHaveProperty('scripts');
    const updated = await management.connections.update(created.id!, {
      options: { authorizationURL: 'https://acme.example/authorize', tokenURL: 'https://acme.example/token', client_id: 'acme', scripts: { fetchUserProfile: GOOD } },
    });
    expect(updated.options).toMatchObject({ scripts: { fetchUserProfile: GOOD } });
  });

  test('the Auth0 SDK shows a script that does not compile as a 400 naming line and column; nothing changes', async () => {
    const management = sdkServer.sdk();
    const created = await management.connections.create({ name: 'sdk-bad-script', strategy: 'oauth2', options: options() });
    const error = await management.connections.update(created.id!, {
      options: options({ fetchUserProfile: 'function (accessToken, ctx, cb) {\n  cb(null, { user_id: 1 );\n}' }),
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ManagementError);
    expect(error).toMatchObject({ statusCode: 400, body: { errorCode: 'invalid_body',
      message: "Payload validation error: options.scripts.fetchUserProfile: syntax error at line 2, column 25: Unexpected token ')'" } });
    const stored = await sdkServer.srv.server.store.connections.get(created.id!);
    expect(stored).toMatchObject({ version: 1 });
    expect(stored?.options).not.toHaveProperty('scripts');
  });

  test('over HTTP: no scripts, empty scripts, and getLogoutUrl alone are all accepted', async () => {
    for (const scripts of [undefined, {}, { getLogoutUrl: 'function (query, callback) { callback(null, "https://provider.example/logout"); }' }]) {
      const res = await post({ name: `optional-${++n}`, strategy: 'oauth2', options: options(scripts) });
      expect(res.status).toBe(201);
      expect(res.body.options.scripts).toEqual(scripts);
    }
  });

  test('an empty script is refused with what to do instead', async () => {
    const res = await post({ name: `empty-${++n}`, strategy: 'oauth2', options: options({ fetchUserProfile: '' }) });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/options\.scripts\.fetchUserProfile: must not be empty \(leave the script out to have none\)/);
  });
});

describe('every script is compiled when saved', () => {
  test.each([
    ['a syntax error on line 3', 'function (accessToken, ctx, cb) {\n  var a = 1;\n  var b = ;\n}',
      'options.scripts.fetchUserProfile: syntax error at line 3, column 11: Unexpected token \';\''],
    ['a syntax error on the first line (columns as written)', '  function (accessToken, ctx, cb) { cb(null, { user_id: 1 }) ',
      'options.scripts.fetchUserProfile: syntax error at line 1, column 61: Unexpected end of the script: a bracket, brace or string is not closed'],
    ['a bare statement', 'cb(null, { user_id: "1" })',
      'options.scripts.fetchUserProfile: must be a function expression such as function (accessToken, ctx, cb) { ... }; it runs code outside a function, which threw ReferenceError: cb is not defined (line 1)'],
    ['an object', '({ user_id: "1" })',
      'options.scripts.fetchUserProfile: must be a function expression such as function (accessToken, ctx, cb) { ... }; it evaluates to a value of type object'],
    ['a getLogoutUrl that is not a function', '"https://provider.example/logout"',
      'options.scripts.getLogoutUrl: must be a function expression such as function (query, callback) { ... }; it evaluates to a value of type string'],
  ])('create with %s: 400 that says where and what to write; nothing written', async (_what, source, message) => {
    const name = `bad-${++n}`;
    const key = message.includes('getLogoutUrl') ? 'getLogoutUrl' : 'fetchUserProfile';
    const res = await post({ name, strategy: 'oauth2', options: options({ fetchUserProfile: GOOD, [key]: source }) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', errorCode: 'invalid_body', message: `Payload validation error: ${message}` });
    expect(await byName(name)).toBeNull();
  });

  test('PATCH with a script that is not a function: 400, the stored connection unchanged', async () => {
    const name = `patched-${++n}`;
    const created = await post({ name, strategy: 'oauth2', options: options({ fetchUserProfile: GOOD }) });
    expect(created.status).toBe(201);
    const res = await patch(created.body.id, { options: options({ fetchUserProfile: 'cb(null, { user_id: "1" })' }) });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/function \(accessToken, ctx, cb\) \{ \.\.\. \}/);
    expect(await byName(name)).toMatchObject({ version: 1, options: { scripts: { fetchUserProfile: GOOD } } });
  });

  test('the script body never runs at save: a body that would loop forever saves (run, it would exceed the check\'s time and be a 400)', async () => {
    const res = await post({ name: `lazy-${++n}`, strategy: 'oauth2', options: options({ fetchUserProfile: 'function (t, c, cb) { request.get("http://127.0.0.1:1/", function () {}); for (;;) {} }' }) });
    expect(res.status).toBe(201);
  });

  test('a frozen sandbox at save time: 503 saying to retry, nothing written; the retry succeeds', async () => {
    expect(sandboxPids).toHaveLength(1);
    const name = `frozen-${++n}`;
    const body = { name, strategy: 'oauth2', options: options({ fetchUserProfile: GOOD }) };
    process.kill(sandboxPids[0]!, 'SIGSTOP'); // stands in for a sandbox process that hangs
    let res;
    try {
      res = await post(body);
    } finally {
      process.kill(sandboxPids[0]!, 'SIGCONT'); // harmless if the supervisor already killed it
    }
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ statusCode: 503, errorCode: 'sandbox_unavailable',
      message: expect.stringMatching(/^options\.scripts\.fetchUserProfile could not be compiled: the sandbox could not check the script \(it did not answer in time\); retry; nothing was saved, send the request again$/) });
    expect(await byName(name)).toBeNull();
    const retry = await post(body);
    expect(retry.status).toBe(201);
  });
});
