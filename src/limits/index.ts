import type { Config } from '../config/load.ts';
import type { Logger } from '../lib/logger.ts';
import type { LogSink } from '../logs/types.ts';
import { processCounters } from './counters.ts';
import { createLimits } from './limits.ts';
import { limitRules } from './rules.ts';
import type { CounterFactory, Limits } from './types.ts';

export type { LimitDecision, LimitKind, Limits, LimitSubject } from './types.ts';
export { startClusterCounters } from './counters.ts';
export { limitPerIp, managementAuthGuard, managementTokenLimit } from './http.ts';
export { tokenEndpointGuard } from './token-guard.ts';

export interface ServerLimitsDeps {
  config: Config;
  logger: Logger;
  sink: LogSink;
  /** Counters shared beyond this server (the MongoDB store's); default: this process, or the cluster primary. */
  counters?: CounterFactory | undefined;
}

/** The server's limits from its settings, counted where every process of the deployment sees the same count. */
export function createServerLimits(deps: ServerLimitsDeps): Limits {
  return createLimits({
    enabled: deps.config.RATE_LIMITS,
    rules: limitRules(deps.config),
    counters: deps.counters ?? processCounters(),
    logger: deps.logger,
    sink: deps.sink,
  });
}
