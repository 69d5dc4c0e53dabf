import cluster from 'node:cluster';
import { RateLimiterCluster, RateLimiterClusterMaster, RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Counter, CounterFactory, CounterState, LimitKind, LimitRule } from './types.ts';

/** How long a worker waits for the cluster primary's answer before failing open. */
const CLUSTER_TIMEOUT_MS = 2000;

/** A rate-limiter-flexible limiter as a Counter: a refusal (a RateLimiterRes, not an Error) is still a count. */
export function toCounter(limiter: RateLimiterAbstract): Counter {
  return {
    async increment(key) {
      try {
        return state(await limiter.consume(key));
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return state(rejection);
        throw rejection;
      }
    },
    async peek(key) {
      const res = await limiter.get(key);
      return res ? state(res) : null;
    },
  };
}

const state = (res: RateLimiterRes): CounterState => ({ consumedPoints: res.consumedPoints, msBeforeNext: res.msBeforeNext });

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
