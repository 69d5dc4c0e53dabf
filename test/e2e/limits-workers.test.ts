import { request } from 'node:http';
import { rm } from 'node:fs/promises';
import { ADMIN_ID, testEnv } from '../support/server.ts';
import { spawnServer, type ServerProcess } from '../support/process.ts';

/**
 * One limit across the WORKERS of a server: the cluster primary holds the counts. Each
 * request opens its own connection, so the primary hands them to the workers in turn.
 */

let env: Record<string, string>;
let server: ServerProcess | undefined;
beforeAll(async () => {
  env = await testEnv({ WORKERS: '2', LOG_LEVEL: 'info', TRUST_PROXY: 'true', RATE_LIMIT_TOKEN_FAILURES: '6', RATE_LIMIT_AUTHORIZE: '20' });
});
afterAll(async () => {
  await server?.stop();
  await rm(env['DATA_DIR']!, { recursive: true, force: true });
});

/** One /authorize request on a fresh connection (no keep-alive): its status. */
function authorize(ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`http://127.0.0.1:${env['PORT']}/authorize?client_id=nobody&response_type=code`, { agent: false, headers: { 'x-forwarded-for': ip } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One wrong-secret token request on a fresh connection (no keep-alive). */
function wrongSecret(ip: string): Promise<number> {
  const body = JSON.stringify({ grant_type: 'client_credentials', client_id: ADMIN_ID, client_secret: 'wrong', audience: `${env['ISSUER']}api/v2/` });
  return new Promise((resolve, reject) => {
    const req = request(`http://127.0.0.1:${env['PORT']}/oauth/token`, {
      method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': ip },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  server = await spawnServer(env);
  // spawnServer returns at the first worker's "listening"; until the second listens, the first gets every connection.
  const listening = () => server!.output().split('\n').filter((line) => line.includes('"msg":"listening"')).length;
  for (const deadline = Date.now() + 20_000; listening() < 2 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
  expect(listening()).toBe(2);
});

test('two worker processes share one brute-force count', async () => {
  const ips = ['127.0.0.61', '127.0.0.62', '127.0.0.63', '127.0.0.64', '127.0.0.65'];
  for (const ip of ips) {
    const statuses: number[] = [];
    // 15 per IP (odd), so with the primary's round-robin the hits of successive IPs fall on alternate workers.
    for (let i = 0; i < 15; i++) statuses.push(await wrongSecret(ip));
    // Counted per worker, each IP would get about 12 failures (6 per worker) before its 429s.
    expect(statuses.filter((s) => s === 401)).toHaveLength(6);
    expect(statuses.slice(6).every((s) => s === 429)).toBe(true);
  }
  // Each hit is one warn line, from the worker that saw it; both workers answered.
  const hits = server!.output().split('\n').filter((line) => line.includes('"limit":"token_auth_client_ip"'));
  expect(hits).toHaveLength(ips.length);
  const pids = new Set(hits.map((line) => (JSON.parse(line) as { pid: number }).pid));
  expect(pids.size).toBe(2);
});

test('a request limit holds across the workers within its documented bound (types.ts: points + N × A)', async () => {
  // 20 per window, N = 2: A = floor(20 × 0.1 / 2) = 1, so at most 22 get through; counted per worker it would be 40.
  const statuses: number[] = [];
  for (let burst = 0; burst < 12; burst++) {
    statuses.push(...await Promise.all(Array.from({ length: 5 }, () => authorize('127.0.0.81'))));
  }
  const through = statuses.filter((s) => s !== 429).length;
  expect(through).toBeGreaterThanOrEqual(20);
  expect(through).toBeLessThanOrEqual(22);
  expect(statuses.slice(-10).every((s) => s === 429)).toBe(true);
  // One hit for the key across both workers.
  for (const deadline = Date.now() + 5000; !server!.output().includes('"limit":"authorize_ip"') && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
  expect(server!.output().split('\n').filter((line) => line.includes('"limit":"authorize_ip"'))).toHaveLength(1);
});
