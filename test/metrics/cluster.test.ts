import { request } from 'node:http';
import { rm } from 'node:fs/promises';
import { testEnv } from '../support/server.ts';
import { spawnUntil, type StartedProcess } from '../support/process.ts';

/**
 * GET /metrics of a WORKERS=2 server answers for both workers, whichever serves the scrape.
 * Each request opens its own connection, so the primary hands them to the workers in turn.
 */

const TOKEN = 'metrics-token-0123456789';
const CALLBACKS = 9;

let env: Record<string, string>;
let server: StartedProcess | undefined;
beforeAll(async () => {
  env = await testEnv({ WORKERS: '2', LOG_LEVEL: 'info', METRICS_TOKEN: TOKEN });
});
afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  await rm(env['DATA_DIR']!, { recursive: true, force: true });
});

/** One GET on a fresh connection (no keep-alive); resolves status and body. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`http://127.0.0.1:${env['PORT']}${path}`, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sum of every `brokerid_logins_total` sample with outcome="failure". */
const failures = (text: string): number => text.split('\n')
  .filter((line) => line.startsWith('brokerid_logins_total{') && line.includes('outcome="failure"'))
  .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);

test('a scrape of any worker counts the logins of both', async () => {
  // Three processes to start on a machine other tests share: a longer wait than spawnServer's.
  server = await spawnUntil(['--no-node-snapshot', 'src/main.ts'], env, '"msg":"listening"', { timeoutMs: 60_000 });
  const listening = () => server!.output().split('\n').filter((line) => line.includes('"msg":"listening"')).length;
  for (const deadline = Date.now() + 40_000; listening() < 2 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
  expect(listening()).toBe(2);
  // A callback whose state this server never issued: one failed login, counted by the worker that got it.
  for (let i = 0; i < CALLBACKS; i++) expect((await get(`/login/callback?state=unknown-${i}&code=c`)).status).toBeGreaterThanOrEqual(400);
  // Successive scrapes land on alternate workers; each one sees all the failures.
  const seen: number[] = [];
  for (let i = 0; i < 4; i++) {
    const scrape = await get('/metrics', { authorization: `Bearer ${TOKEN}` });
    expect(scrape.status).toBe(200);
    seen.push(failures(scrape.body));
  }
  expect(seen).toEqual(Array(4).fill(CALLBACKS));
}, 120_000);
