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
  env = await testEnv({ WORKERS: '2', LOG_LEVEL: 'info', TRUST_PROXY: 'true', RATE_LIMIT_TOKEN_FAILURES: '6' });
});
afterAll(async () => {
  await server?.stop();
  await rm(env['DATA_DIR']!, { recursive: true, force: true });
});

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

test('two worker processes share one brute-force count', async () => {
  server = await spawnServer(env);
  // spawnServer returns at the first worker's "listening"; until the second listens, the first gets every connection.
  const listening = () => server!.output().split('\n').filter((line) => line.includes('"msg":"listening"')).length;
  for (const deadline = Date.now() + 20_000; listening() < 2 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
  expect(listening()).toBe(2);
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
  const hits = server.output().split('\n').filter((line) => line.includes('"limit":"token_auth_client_ip"'));
  expect(hits).toHaveLength(ips.length);
  const pids = new Set(hits.map((line) => (JSON.parse(line) as { pid: number }).pid));
  expect(pids.size).toBe(2);
});
