import { mapMethods } from '../../lib/map-methods.ts';

/**
 * Several processes share one database file, and SQLite lets one write at a time. Its own
 * busy handler waits by sleeping the thread, which freezes the whole event loop of a server
 * for up to the timeout. Instead the file is opened with busy_timeout 0 and a write that
 * finds the lock taken is retried here, asynchronously: the process keeps serving meanwhile.
 *
 * Retrying a whole repo method is safe because every method is one statement or one
 * transaction: a BUSY error means nothing of it was applied.
 */

const SQLITE_BUSY = 5;
const DEADLINE_MS = 5000;

/** True for SQLITE_BUSY and its extended codes (checked by field: errors cross realms under jest). */
export function isBusy(err: unknown): boolean {
  const code = (err as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' && (code & 0xff) === SQLITE_BUSY;
}

const pause = (attempt: number): Promise<void> => attempt === 0
  ? new Promise((resolve) => setImmediate(resolve))
  : new Promise((resolve) => setTimeout(resolve, Math.min(2 ** (attempt - 1), 16) * (0.5 + Math.random())));

/** Runs `fn`, retrying it while the database is busy (up to 5 s, then the BUSY error surfaces). */
export async function whenFree<T>(fn: () => Promise<T> | T): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isBusy(err) || Date.now() - started > DEADLINE_MS) throw err;
      await pause(attempt);
    }
  }
}

/** Wraps every method of a repo with whenFree. */
export function retryingBusy<R extends object>(repo: R): R {
  return mapMethods(repo, (_name, method) => (...args: unknown[]) => whenFree(() => method(...args)));
}
