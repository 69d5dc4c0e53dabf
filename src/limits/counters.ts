import cluster from 'node:cluster';
import { RateLimiterCluster, RateLimiterClusterMaster, RateLimiterMemory } from 'rate-limiter-flexible';
import { toWindowCounter as toCounter } from '../lib/window-counter.ts';
import type { CounterFactory, LimitKind, LimitRule } from './types.ts';

/** How long a worker waits for the cluster primary's answer before failing open. */
const CLUSTER_TIMEOUT_MS = 2000;

const options = (kind: LimitKind, rule: LimitRule) => ({ keyPrefix: `brokerid:${kind}`, points: rule.points, duration: rule.durationSeconds });

/** Counters in this process's memory: right for a single process (WORKERS=1, tests). */
export const memoryCounters: CounterFactory = (kind, rule) => toCounter(new RateLimiterMemory(options(kind, rule)));

/**
 * Counters held by the cluster primary and reached over node:cluster IPC, so every worker
 * of one server shares one count. The primary must run `startClusterCounters()` before it forks.
 */
export const clusterCounters: CounterFactory = (kind, rule) =>
  toCounter(new RateLimiterCluster({ ...options(kind, rule), timeoutMs: CLUSTER_TIMEOUT_MS }));

/** In the cluster primary: answers the workers' counters (rate-limiter-flexible keeps them in memory here). */
export function startClusterCounters(): void {
  new RateLimiterClusterMaster();
}

/** The right counters for this process when the store offers no shared ones. */
export const processCounters = (): CounterFactory => (cluster.isWorker ? clusterCounters : memoryCounters);
