import { StoreConflictError, type Store } from './types.ts';

/**
 * A hook the store layer calls on its own failures, declared here so the store imports
 * nothing of what listens (src/metrics implements it as brokerid_store_errors_total).
 */

/** What kind of failure a store call ended in: a unique key taken (an expected answer) or anything else. */
export type StoreCallFailure = 'conflict' | 'error';

/** Told of every store call that threw or rejected; `call` is `repo.method` (or `ping`, `purgeExpired`). */
export interface StoreObserver {
  storeError(call: string, kind: StoreCallFailure): void;
}

type Fn = (...args: unknown[]) => unknown;

/** `fn` that reports its failures as `call`; what it returns or throws reaches the caller unchanged. */
function observed(fn: Fn, self: unknown, call: string, observer: StoreObserver): Fn {
  const report = (err: unknown): void => observer.storeError(call, err instanceof StoreConflictError ? 'conflict' : 'error');
  return (...args) => {
    let result: unknown;
    try {
      result = fn.apply(self, args);
    } catch (err) {
      report(err);
      throw err;
    }
    // One extra reaction on the caller's promise; the caller still sees the rejection itself.
    if (result instanceof Promise) result.then(undefined, report);
    return result;
  };
}

/** Wraps every repo method (and ping, purgeExpired) of `store` so `observer` hears of each failure. */
export function observeStore(store: Store, observer: StoreObserver): Store {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(store)) {
    if (typeof value === 'function') {
      out[key] = key === 'close' || key === 'windowCounter' ? (value as Fn).bind(store) : observed(value as Fn, store, key, observer);
    } else if (value !== null && typeof value === 'object') {
      const repo: Record<string, unknown> = {};
      for (const [name, method] of Object.entries(value)) {
        repo[name] = typeof method === 'function' ? observed(method as Fn, value, `${key}.${name}`, observer) : method;
      }
      out[key] = repo;
    } else {
      out[key] = value;
    }
  }
  return out as unknown as Store;
}
