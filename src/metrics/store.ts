import { Counter, type Registry } from 'prom-client';
import type { StoreCallFailure } from '../store/observe.ts';

/** The store's counters, in their own block of the registry (store/observe.ts calls them). */

/** `brokerid_store_errors_total{call, kind}`: store calls that threw, by method and whether it was a unique-key conflict. */
export function storeErrorCounter(register: Registry): (call: string, kind: StoreCallFailure) => void {
  const errors = new Counter({
    name: 'brokerid_store_errors_total',
    help: 'Store calls that threw, by call (repo.method) and kind (conflict: a unique key was taken, an expected answer such as a 409; error: anything else).',
    labelNames: ['call', 'kind'] as const, registers: [register],
  });
  return (call, kind) => errors.inc({ call, kind });
}
