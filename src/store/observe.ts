import { mapMethods, type Method } from '../lib/map-methods.ts';
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

/** `fn` that reports its failures as `call`; what it returns or throws reaches the caller unchanged. */
function observed(fn: Method, call: string, observer: StoreObserver): Method {
  const report = (err: unknown): void => observer.storeError(call, err instanceof StoreConflictError ? 'conflict' : 'error');
  return (...args) => {
    let result: unknown;
    try {
      result = fn(...args);
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
  const top = mapMethods(store, (key, method) => (key === 'close' || key === 'windowCounter' ? undefined : observed(method, key, observer)));
  const out: Record<string, unknown> = { ...top };
  for (const [key, value] of Object.entries(top)) {
    if (value !== null && typeof value === 'object') out[key] = mapMethods(value, (name, method) => observed(method, `${key}.${name}`, observer));
  }
  return out as unknown as Store;
}
