import type { CountState } from './cluster-protocol.ts';

/**
 * Fixed-window counts per key in this process's memory: the cluster primary's counts and a
 * worker's mirror of its failure counts. Synchronous (the primary answers each message in the
 * order it came, with nothing awaited in between). A key's window starts at its first count
 * and lasts the rule's duration; expired keys are swept.
 */
export class FixedWindows {
  private readonly counts = new Map<string, { total: number; endsAt: number }>();
  private nextSweep = 0;

  /** Adds `n` to `key`'s window (a new one if none is open) and returns its state. */
  add(key: string, n: number, durationMs: number, now = Date.now()): CountState {
    this.sweep(now);
    let entry = this.counts.get(key);
    if (!entry || entry.endsAt <= now) this.counts.set(key, (entry = { total: 0, endsAt: now + durationMs }));
    entry.total += n;
    return { total: entry.total, msBeforeNext: entry.endsAt - now };
  }

  /** Sets `key`'s window to `state` as another process counted it (a worker's mirror of the primary's counts). */
  put(key: string, state: CountState, now = Date.now()): void {
    this.sweep(now);
    this.counts.set(key, { total: state.total, endsAt: now + state.msBeforeNext });
  }

  /** `key`'s open window, if any. */
  get(key: string, now = Date.now()): CountState | undefined {
    const entry = this.counts.get(key);
    return entry && entry.endsAt > now ? { total: entry.total, msBeforeNext: entry.endsAt - now } : undefined;
  }

  /** Every open window. */
  *entries(now = Date.now()): Generator<[string, CountState]> {
    for (const [key, entry] of this.counts) if (entry.endsAt > now) yield [key, { total: entry.total, msBeforeNext: entry.endsAt - now }];
  }

  /** Drops ended windows, at most once a second (memory stays bounded by the keys seen in one window). */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 1000;
    for (const [key, entry] of this.counts) if (entry.endsAt <= now) this.counts.delete(key);
  }
}
