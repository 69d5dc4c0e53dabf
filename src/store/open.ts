import type { Store } from './types.ts';

/** Which backend to open and where it lives. */
export type StoreOptions = { kind: 'sqlite'; file: string } | { kind: 'mongodb'; uri: string };

/**
 * Opens the configured store. The only place that picks a backend; the import is dynamic
 * so a sqlite deployment never loads mongoose (and vice versa).
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.kind === 'sqlite') {
    const { openSqliteStore } = await import('./sqlite/store.ts');
    return openSqliteStore({ file: options.file });
  }
  const { openMongoStore } = await import('./mongo/store.ts');
  return openMongoStore({ uri: options.uri });
}
