import { Counter, type Registry } from 'prom-client';
import type { StoreMetrics } from '../store/types.ts';

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
