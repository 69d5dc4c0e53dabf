import cluster from 'node:cluster';
import type { Config } from './config/load.ts';
import type { Logger } from './lib/logger.ts';
import { startClusterCounters } from './limits/counters.ts';
import { startClusterMetrics } from './metrics/cluster-primary.ts';
import { prepareShared } from './prepare.ts';

/**
 * The cluster primary (WORKERS > 1): prepares the store once, forks the workers, replaces
 * one that dies, and holds their shared rate-limit counters. It imports nothing of the HTTP
 * stack, so it stays a small process beside the workers.
 */
export async function runPrimary(config: Config, log: Logger): Promise<void> {
  await prepareShared(config, log);
  const launch = workerLaunch(config);
  cluster.setupPrimary({ execArgv: launch.execArgv });
  const fork = () => cluster.fork(launch.env);
  // The workers' rate-limit counters live here, so one limit holds across all of them.
  startClusterCounters();
  // A scrape of any worker answers for all of them: the primary gathers their registries.
  startClusterMetrics();
  let stopping = false;
  for (let i = 0; i < config.WORKERS; i++) fork();
  cluster.on('exit', (worker, code) => {
    if (stopping) {
      if (!Object.keys(cluster.workers ?? {}).length) process.exit(0);
      return;
    }
    log.error({ worker: worker.process.pid, code }, 'worker died; starting another');
    fork();
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

type MemorySettings = Pick<Config, 'WORKER_SEMI_SPACE_MB' | 'WORKER_OLD_SPACE_MB' | 'WORKER_MALLOC_ARENA_MAX'>;

/**
 * How a worker is started: this process's Node flags (--no-node-snapshot, any --import)
 * plus the V8 heap flags, and the glibc arena limit, which glibc reads only at process start.
 */
export function workerLaunch(config: MemorySettings, execArgv: readonly string[] = process.execArgv): { execArgv: string[]; env: Record<string, string> } {
  const flags = [...execArgv];
  if (config.WORKER_SEMI_SPACE_MB) flags.push(`--max-semi-space-size=${config.WORKER_SEMI_SPACE_MB}`);
  if (config.WORKER_OLD_SPACE_MB) flags.push(`--max-old-space-size=${config.WORKER_OLD_SPACE_MB}`);
  return { execArgv: flags, env: config.WORKER_MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: String(config.WORKER_MALLOC_ARENA_MAX) } : {} };
}
