import { setTimeout as sleep } from 'node:timers/promises';
import { Browser } from './lib/browser.ts';
import { clientCredentials, login, type HopRecorder } from './lib/flows.ts';
import type { DriverJob, DriverMessage, DriverResult } from './lib/protocol.ts';
import { percentiles } from './lib/stats.ts';

/**
 * The load driver (a child process of bench/run.ts): `concurrency` virtual users, each with
 * its own cookie jar and keep-alive connections, loop one scenario for warm-up + duration.
 * Each login starts from an empty cookie jar (a new browser: no SSO session to reuse).
 * Only iterations finishing inside the measured window count; every failure counts.
 * Receives one job over IPC, answers with its result, exits.
 */

/** After the window closes, in-flight iterations get this long before the result is sent anyway. */
const DRAIN_MS = 20_000;
const MAX_ERROR_SAMPLES = 5;

const send = (message: DriverMessage): void => {
  process.send?.(message);
};

async function run(job: DriverJob): Promise<DriverResult> {
  const { scenario, concurrency } = job;
  const start = performance.now();
  const measureFrom = start + job.warmupMs;
  const measureTo = measureFrom + job.durationMs;
  const latencies: number[] = [];
  const hops = new Map<string, { sum: number; count: number }>();
  const errorSamples: string[] = [];
  let errors = 0;
  let completed = 0;

  const startTimer = setTimeout(() => send({ t: 'measure-start' }), job.warmupMs);
  const endTimer = setTimeout(() => send({ t: 'measure-end' }), job.warmupMs + job.durationMs);

  async function virtualUser(index: number): Promise<void> {
    const browser = new Browser();
    const hop: HopRecorder = (label, ms) => {
      const now = performance.now();
      if (now < measureFrom || now > measureTo) return;
      const entry = hops.get(label) ?? { sum: 0, count: 0 };
      entry.sum += ms;
      entry.count++;
      hops.set(label, entry);
    };
    let iteration = 0;
    try {
      while (performance.now() < measureTo) {
        const t0 = performance.now();
        try {
          browser.clearCookies();
          if (scenario.kind === 'login') {
            const connection = scenario.connections.length ? scenario.connections[(index + iteration) % scenario.connections.length] : undefined;
            await login(browser, scenario, connection, hop);
          } else {
            await clientCredentials(browser, scenario, hop);
          }
          const t1 = performance.now();
          if (t1 >= measureFrom && t1 <= measureTo) {
            completed++;
            latencies.push(t1 - t0);
          }
        } catch (err) {
          errors++;
          if (errorSamples.length < MAX_ERROR_SAMPLES) errorSamples.push(err instanceof Error ? err.message : String(err));
          await sleep(50); // no hot loop on a failing server
        }
        iteration++;
      }
    } finally {
      browser.close();
    }
  }

  const users = Array.from({ length: concurrency }, (_, i) => virtualUser(i));
  const drained = Promise.all(users).then(() => true);
  const timedOut = sleep(job.warmupMs + job.durationMs + DRAIN_MS).then(() => false);
  const finished = await Promise.race([drained, timedOut]);
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  if (!finished) {
    errors++;
    errorSamples.push(`virtual users still busy ${DRAIN_MS} ms after the window closed`);
  }
  const measuredMs = job.durationMs;
  return {
    concurrency,
    completed,
    errors,
    errorSamples,
    rate: completed / (measuredMs / 1000),
    latency: percentiles(latencies),
    hops: Object.fromEntries([...hops].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { meanMs: v.sum / v.count, count: v.count }])),
    measuredMs,
  };
}

process.once('message', (job: DriverJob) => {
  run(job).then(
    (result) => {
      send({ t: 'result', result });
      process.disconnect?.();
      setTimeout(() => process.exit(0), 100).unref();
    },
    (err: unknown) => {
      process.stderr.write(`driver failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
});
process.on('disconnect', () => setTimeout(() => process.exit(0), 1000).unref());
