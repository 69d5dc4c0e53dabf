import { RateLimiterMemory } from 'rate-limiter-flexible';
import { toWindowCounter } from '../../src/lib/window-counter.ts';
import type { Store } from '../../src/store/types.ts';
import { describeWindowCounterConformance } from '../store/conformance-counters.ts';

/**
 * The window-counter contract on rate-limiter-flexible's memory backend (what one process and
 * the cluster primary count with), through the same adapter the MongoDB store uses.
 */
const inMemory: Pick<Store, 'windowCounter'> = {
  windowCounter: (name, rule) => toWindowCounter(new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration: rule.durationSeconds })),
};
describeWindowCounterConformance(() => inMemory as Store);
