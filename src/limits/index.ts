import type { Config } from '../config/load.ts';
import type { Logger } from '../lib/logger.ts';
import type { LogSink } from '../logs/types.ts';
import type { LimitMetrics } from '../metrics/types.ts';
import type { Store } from '../store/types.ts';
import { processCounters } from './counters.ts';
import { createLimits } from './limits.ts';
import { limitRules } from './rules.ts';
import type { CounterFactory, Limits } from './types.ts';

export type { LimitDecision, LimitKind, Limits, LimitSubject } from './types.ts';
export { startClusterCounters } from './counters.ts';
export { ipOf, limitPerIp, managementAuthGuard, managementTokenLimit } from './http.ts';
export { clientAuthAttempt, tokenEndpointGuard, type ClientAuthAttempt } from './token-guard.ts';

export interface ServerLimitsDeps {
  config: Config;
  logger: Logger;
  sink: LogSink;
  /** The store's window counters, when it has them (MongoDB: shared by every server on the database). */
  store: Pick<Store, 'windowCounter'>;
  metrics?: LimitMetrics;
}

/** The store's shared counters, else this process's (one process) or the cluster primary's (WORKERS > 1). */
function countersFor(store: Pick<Store, 'windowCounter'>, workers: number): CounterFactory {
  const shared = store.windowCounter?.bind(store);
  return shared ? (kind, rule) => shared(`brokerid_${kind}`, rule) : processCounters(workers);
}

/** The server's limits from its settings, counted where every process of the deployment sees the same count. */
export function createServerLimits(deps: ServerLimitsDeps): Limits {
  return createLimits({
    enabled: deps.config.RATE_LIMITS,
    rules: limitRules(deps.config),
    counters: countersFor(deps.store, deps.config.WORKERS),
    logger: deps.logger,
    sink: deps.sink,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
}
