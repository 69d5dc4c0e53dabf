import { Counter, type Registry } from 'prom-client';
import type { StoreCallFailure } from '../store/observe.ts';
import type { StoreMetrics } from '../store/types.ts';

/** The store's counters, in their own block of the registry (the store calls them through hooks it declares). */

/**
 * brokerid_store_statements_total{kind}: the store counts into two plain numbers (a statement
 * costs one increment), and the counter takes them only when /metrics is scraped.
 */
export function storeStatementMetrics(register: Registry): StoreMetrics {
  const counts = { read: 0, write: 0 };
  new Counter({
    name: 'brokerid_store_statements_total',
    help: 'Statements sent to the store by this process (sqlite: SQL statements other than BEGIN/COMMIT/ROLLBACK; mongodb: data commands), by kind.',
    labelNames: ['kind'] as const,
    registers: [register],
    collect() {
      this.reset();
      this.inc({ kind: 'read' }, counts.read);
      this.inc({ kind: 'write' }, counts.write);
    },
  });
  return { storeStatement: (kind) => { counts[kind]++; } };
}

/** `brokerid_store_errors_total{call, kind}`: store calls that threw, by method and whether it was a unique-key conflict. */
export function storeErrorCounter(register: Registry): (call: string, kind: StoreCallFailure) => void {
  const errors = new Counter({
    name: 'brokerid_store_errors_total',
    help: 'Store calls that threw, by call (repo.method) and kind (conflict: a unique key was taken, an expected answer such as a 409; error: anything else).',
    labelNames: ['call', 'kind'] as const, registers: [register],
  });
  return (call, kind) => errors.inc({ call, kind });
}
