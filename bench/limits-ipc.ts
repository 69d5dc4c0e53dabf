import cluster from 'node:cluster';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { RateLimiterCluster, RateLimiterClusterMaster } from 'rate-limiter-flexible';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/lib/logger.ts';
import { toWindowCounter } from '../src/lib/window-counter.ts';
import { startClusterCounters, workerCounters } from '../src/limits/cluster-counters.ts';
import { createLimits } from '../src/limits/limits.ts';
import { limitRules } from '../src/limits/rules.ts';
import type { CounterFactory } from '../src/limits/types.ts';
import { machine } from './lib/report.ts';

/**
 * `node --no-node-snapshot bench/limits-ipc.ts [name]`: the CPU one rate-limit decision costs a
 * cluster worker and the primary, for rate-limiter-flexible's RateLimiterCluster (one IPC
 * round trip per consume and per check: what the server used before) and for our cluster
 * counters (batched request counts, mirrored failure counts), alternating (ABAB). One
 * worker runs the Limits calls one at a time: `consume('authorize_ip')` (what /authorize and
 * /login/* do) and `check('token_auth_ip')` (what every /oauth/token and Management request
 * does), each on its own turn of the event loop. CPU from process.cpuUsage() of both processes
 * over the measured calls (the worker's includes the loop turn, the same for both).
 */

const OPS = 20_000;
const WARMUP = 2_000;
type Impl = 'rate-limiter-flexible RateLimiterCluster' | 'brokerid cluster counters';
const IMPLS: Impl[] = ['rate-limiter-flexible RateLimiterCluster', 'brokerid cluster counters'];

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

async function workerMain(impl: Impl): Promise<void> {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: '/tmp/unused', RATE_LIMIT_AUTHORIZE: '10000000', WORKERS: '2' });
  const old: CounterFactory = (kind, rule) => toWindowCounter(new RateLimiterCluster({ keyPrefix: `brokerid:${kind}`, points: rule.points, duration: rule.durationSeconds, timeoutMs: 2000 }));
  const limits = createLimits({
    enabled: true, rules: limitRules(config), counters: impl === IMPLS[0] ? old : workerCounters(2),
    logger: createLogger('warn', new Writable({ write(_c, _e, done) { done(); } })), sink: { emit: () => {} },
  });
  // Each call on its own turn of the event loop, as requests arrive (so timers, such as the flush, run between them).
  const run = async (what: 'consume' | 'check', n: number) => {
    for (let i = 0; i < n; i++) {
      await new Promise(setImmediate);
      const ip = `127.0.${(i >> 8) & 255}.${i & 255}`;
      if (what === 'consume') await limits.consume('authorize_ip', ip);
      else await limits.check('token_auth_ip', ip);
    }
  };
  const result: Record<string, number> = {};
  for (const what of ['consume', 'check'] as const) {
    await run(what, WARMUP);
    await new Promise((r) => setTimeout(r, 50));
    process.send?.({ bench: 'start' });
    await new Promise((r) => setTimeout(r, 20));
    const t0 = process.cpuUsage();
    await run(what, OPS);
    await new Promise((r) => setTimeout(r, 200)); // the last batch's flush and answer
    result[`${what}WorkerUs`] = (cpuMs(process.cpuUsage(t0)) * 1000) / OPS;
    const primaryMs = await new Promise<number>((resolve) => {
      process.once('message', (m: { primaryMs?: number }) => resolve(m.primaryMs ?? 0));
      process.send?.({ bench: 'stop' });
    });
    result[`${what}PrimaryUs`] = (primaryMs * 1000) / OPS;
  }
  process.send?.({ bench: 'result', result });
  process.disconnect();
}

async function primaryMain(): Promise<void> {
  new RateLimiterClusterMaster();
  startClusterCounters();
  const rows: Array<{ impl: Impl; round: number; result: Record<string, number> }> = [];
  for (let round = 1; round <= 2; round++) {
    for (const impl of round % 2 ? IMPLS : [...IMPLS].reverse()) {
      const worker = cluster.fork({ LIMITS_IPC_IMPL: impl });
      let start = process.cpuUsage();
      const result = await new Promise<Record<string, number>>((resolve) => {
        worker.on('message', (m: { bench?: string; result?: Record<string, number> }) => {
          if (m.bench === 'start') start = process.cpuUsage();
          if (m.bench === 'stop') worker.send({ primaryMs: cpuMs(process.cpuUsage(start)) });
          if (m.bench === 'result' && m.result) resolve(m.result);
        });
      });
      await new Promise((r) => worker.once('exit', r));
      rows.push({ impl, round, result });
      process.stdout.write(`${impl} (round ${round}): ${JSON.stringify(result)}\n`);
    }
  }
  const m = machine();
  const f = (x: number | undefined) => (x ?? 0).toFixed(1);
  const lines = [
    `Measured ${new Date().toISOString()} on ${m.cpuModel}, ${m.cores} cores, Node ${m.node}: ${OPS} sequential Limits calls per kind in one cluster worker `
      + `(after ${WARMUP} warm-up), CPU (process.cpuUsage) of the worker and of the primary per call, µs; ABBA.`,
    '',
    '| Counters | round | consume: worker µs | consume: primary µs | check: worker µs | check: primary µs |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(({ impl, round, result: r }) => `| ${impl} | ${round} | ${f(r['consumeWorkerUs'])} | ${f(r['consumePrimaryUs'])} | ${f(r['checkWorkerUs'])} | ${f(r['checkPrimaryUs'])} |`),
  ];
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${new Date().toISOString().slice(0, 10)}-${process.argv[2] ?? 'limits-ipc'}.md`);
  writeFileSync(out, `${lines.join('\n')}\n`);
  process.stdout.write(`\n${lines.join('\n')}\n\nwritten to ${out}\n`);
}

if (cluster.isPrimary) await primaryMain();
else await workerMain(process.env['LIMITS_IPC_IMPL'] as Impl);
