import cluster from 'node:cluster';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { toWindowCounter as toCounter } from '../lib/window-counter.ts';
import { workerCounters } from './cluster-counters.ts';
import type { CounterFactory } from './types.ts';

/** Counters in this process's memory: right for a single process (WORKERS=1, tests). */
export const memoryCounters: CounterFactory = (kind, rule) =>
  toCounter(new RateLimiterMemory({ keyPrefix: `brokerid:${kind}`, points: rule.points, duration: rule.durationSeconds }));

export { startClusterCounters } from './cluster-counters.ts';

/**
 * The right counters for this process when the store offers no shared ones: this process's
 * memory, or (a cluster worker, one of `workers`) the primary's counts without a message per
 * request (see types.ts).
 */
export const processCounters = (workers: number): CounterFactory => (cluster.isWorker ? workerCounters(workers) : memoryCounters);
