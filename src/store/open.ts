import type { Store, StoreMetrics } from './types.ts';

/** Which backend to open and where it lives; `metrics` counts its statements. */
export type StoreOptions = ({ kind: 'sqlite'; file: string } | { kind: 'mongodb'; uri: string }) & { metrics?: StoreMetrics };

/**
 * Opens the configured store. The only place that picks a backend; the import is dynamic
 * so a sqlite deployment never loads mongoose (and vice versa).
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.kind === 'sqlite') {
    const { openSqliteStore } = await import('./sqlite/store.ts');
    return openSqliteStore({ file: options.file, ...(options.metrics ? { metrics: options.metrics } : {}) });
  }
  const { openMongoStore } = await import('./mongo/store.ts');
  return openMongoStore({ uri: options.uri, ...(options.metrics ? { metrics: options.metrics } : {}) });
}
