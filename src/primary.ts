import cluster from 'node:cluster';
import type { Config } from './config/load.ts';
import type { Logger } from './lib/logger.ts';
import { startClusterCounters } from './limits/counters.ts';
import { prepareShared } from './prepare.ts';

/**
 * The cluster primary (WORKERS > 1): prepares the store once, forks the workers, replaces
 * one that dies, and holds their shared rate-limit counters. It imports nothing of the HTTP
 * stack, so it stays a small process beside the workers.
 */
export async function runPrimary(config: Config, log: Logger): Promise<void> {
  await prepareShared(config, log);
  // The workers' rate-limit counters live here, so one limit holds across all of them.
  startClusterCounters();
  let stopping = false;
  for (let i = 0; i < config.WORKERS; i++) cluster.fork();
  cluster.on('exit', (worker, code) => {
    if (stopping) {
      if (!Object.keys(cluster.workers ?? {}).length) process.exit(0);
      return;
    }
    log.error({ worker: worker.process.pid, code }, 'worker died; starting another');
    cluster.fork();
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
