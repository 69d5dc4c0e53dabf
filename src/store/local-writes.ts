import { mapMethods } from '../lib/map-methods.ts';

/**
 * The process-local half of `Store.versions` (types.ts): every write call through a Store
 * object moves one counter, as it starts and again as it ends, so a cache in the same
 * process notices its own process's changes without asking the database.
 */
export class LocalWrites {
  #count = 0;

  /** How many write starts and ends were seen. */
  get count(): number {
    return this.#count;
  }

  /**
   * Wraps every method of `repo` except `reads`: the counter moves before the call and after
   * it settles, and `afterWrite` (the backend's version bump, if it needs one) runs after it
   * settles, failed or not (a failed write may have changed part).
   */
  track<R extends object>(repo: R, reads: ReadonlyArray<keyof R>, afterWrite?: () => Promise<void>): R {
    return mapMethods(repo, (name, method) => (reads.includes(name as keyof R) ? undefined : async (...args: unknown[]) => {
      this.#count++;
      let failed = false;
      try {
        return await method(...args);
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        this.#count++;
        // A failed bump after a failed write must not hide the write's own error.
        if (afterWrite) await afterWrite().catch((err: unknown) => { if (!failed) throw err; });
      }
    }));
  }
}
