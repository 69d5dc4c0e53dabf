import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testEnv } from '../support/server.ts';
import { spawnUntil, type StartedProcess } from '../support/process.ts';

/**
 * What each process of a WORKERS=2 server loads and is started with, read from inside the
 * real processes (test/support/module-log.ts): the primary stays small (none of the HTTP
 * stack), the workers get the memory settings.
 */

const MODULE_LOG = fileURLToPath(new URL('../support/module-log.ts', import.meta.url));
// Three Node processes starting on a shared 2-core machine can take most of a minute.
const START_BUDGET_MS = 180_000;

let env: Record<string, string>;
let logDir: string;
let running: StartedProcess | undefined;
beforeAll(async () => {
  env = await testEnv({ WORKERS: '2', LOG_LEVEL: 'info' });
});
beforeEach(() => { logDir = mkdtempSync(join(tmpdir(), 'brokerid-modules-')); });
afterEach(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGTERM');
    await running.exited;
  }
  rmSync(logDir, { recursive: true, force: true });
});
afterAll(async () => {
  await rm(env['DATA_DIR']!, { recursive: true, force: true });
});

interface Seen { role: string; modules: string[]; started: { execArgv: string[]; heapSizeLimitMb: number; mallocArenaMax: string | null } }

/** Starts the server with the preload; resolves what each process reported once both workers listen. */
async function startAndRead(overrides: Record<string, string> = {}): Promise<Seen[]> {
  running = await spawnUntil(['--no-node-snapshot', '--import', MODULE_LOG, 'src/main.ts'], { ...env, ...overrides, MODULE_LOG_DIR: logDir }, '"msg":"listening"',
    { timeoutMs: 90_000 });
  const listening = () => running!.output().split('\n').filter((line) => line.includes('"msg":"listening"')).length;
  for (const deadline = Date.now() + 30_000; listening() < 2 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
  expect(listening()).toBe(2);
  return readdirSync(logDir).filter((f) => f.endsWith('.json')).map((f) => {
    const base = join(logDir, f.replace(/\.json$/, ''));
    return {
      role: f.split('-')[0]!,
      modules: readFileSync(`${base}.modules`, 'utf8').split('\n'),
      started: JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Seen['started'],
    };
  });
}

const loads = (seen: Seen, part: string): boolean => seen.modules.some((url) => url.includes(part));
const SERVER_PARTS = ['/src/server.ts', '/node_modules/express/', '/node_modules/oidc-provider/', '/src/sandbox/', '/node_modules/prom-client/'];

test('the cluster primary prepares the store and forks without loading the HTTP stack; each worker loads it', async () => {
  const seen = await startAndRead();
  const primary = seen.filter((s) => s.role === 'primary');
  const workers = seen.filter((s) => s.role === 'worker');
  expect(primary).toHaveLength(1);
  expect(workers).toHaveLength(2);
  // What the primary does run: the store it prepares and the counters it holds.
  expect(loads(primary[0]!, '/src/store/sqlite/store.ts')).toBe(true);
  expect(loads(primary[0]!, '/node_modules/rate-limiter-flexible/')).toBe(true);
  expect(SERVER_PARTS.filter((part) => loads(primary[0]!, part))).toEqual([]);
  for (const worker of workers) {
    expect(SERVER_PARTS.filter((part) => !loads(worker, part))).toEqual([]);
    // The default memory settings (src/config/schema.ts) reach every worker.
    expect(worker.started.execArgv).toContain('--max-semi-space-size=16');
    expect(worker.started.mallocArenaMax).toBeNull();
  }
  // A sqlite deployment never loads mongoose, in any process.
  expect(seen.filter((s) => loads(s, '/node_modules/mongoose/'))).toEqual([]);
}, START_BUDGET_MS);

test('the memory settings reach each worker (V8 heap flags, glibc arenas) and not the primary', async () => {
  const seen = await startAndRead({ WORKER_SEMI_SPACE_MB: '4', WORKER_OLD_SPACE_MB: '200', WORKER_MALLOC_ARENA_MAX: '3' });
  const primary = seen.find((s) => s.role === 'primary')!;
  const workers = seen.filter((s) => s.role === 'worker');
  expect(workers).toHaveLength(2);
  for (const { started } of workers) {
    expect(started.execArgv).toEqual(expect.arrayContaining(['--no-node-snapshot', '--max-semi-space-size=4', '--max-old-space-size=200']));
    // V8 took them: its heap limit is the old generation's 200 MB plus the young generation's few.
    expect(started.heapSizeLimitMb).toBeGreaterThanOrEqual(200);
    expect(started.heapSizeLimitMb).toBeLessThan(240);
    expect(started.mallocArenaMax).toBe('3');
  }
  expect(primary.started.execArgv.filter((flag) => flag.startsWith('--max-'))).toEqual([]);
  expect(primary.started.heapSizeLimitMb).toBeGreaterThan(240);
  expect(primary.started.mallocArenaMax).toBeNull();
}, START_BUDGET_MS);
