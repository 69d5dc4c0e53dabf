import type { WindowCounter, WindowCounterState, WindowRule } from '../lib/window-counter.ts';
import type { AddItem } from './cluster-protocol.ts';
import type { PrimaryLink } from './primary-link.ts';

/** How often a worker sends the request counts it admitted on its own (the most a window can start late). */
export const FLUSH_MS = 20;

/** One key of one limit in this worker. */
interface Entry {
  item: Omit<AddItem, 'n'>;
  /** The primary's total at its last answer (every worker's counts it had then). */
  known: number;
  /** Admitted here, sent, not yet answered. */
  pending: number;
  /** Admitted here, not yet sent. */
  fresh: number;
  /** Requests this worker could not decide alone, waiting for the next answer (counted in order, after `fresh`). */
  waiters: Array<{ resolve: (s: WindowCounterState) => void; reject: (e: Error) => void }>;
  /** Batches with this key that are on their way (the entry must outlive them). */
  inflight: number;
  /** Local time the primary's window ends (0: no answer yet). */
  resetAt: number;
  /** A batch of admitted requests took the key over its limit: the next refusal here is the window's first. */
  crossed: boolean;
}

/**
 * The request limits of one worker (authorize_ip, login_ip, management_token): each request is
 * decided here while this worker's own not-yet-answered admissions for the key stay within
 * `allowance` and the known total stays within the limit; the counts go to the primary in
 * one message every FLUSH_MS. Past either bound the request waits for the primary's exact
 * answer. The guarantee this gives is written in types.ts.
 */
export class BatchedRequests {
  private readonly entries = new Map<string, Entry>();
  private readonly dirty = new Set<Entry>();
  private timer: NodeJS.Timeout | undefined;
  private nextSweep = 0;

  private readonly link: PrimaryLink;
  private readonly flushMs: number;

  constructor(link: PrimaryLink, flushMs = FLUSH_MS) {
    this.link = link;
    this.flushMs = flushMs;
  }

  /** The counter of one limit; `allowance` is how many requests per key this worker may admit before the primary has counted them. */
  counter(name: string, rule: WindowRule, allowance: number): WindowCounter {
    return {
      increment: (key) => this.increment(this.entry(name, rule, key), allowance),
      peek: (key) => {
        const e = this.entry(name, rule, key);
        this.roll(e, Date.now());
        const count = e.known + e.pending + e.fresh;
        return Promise.resolve(count ? { consumedPoints: count, msBeforeNext: this.msLeft(e, Date.now()) } : null);
      },
    };
  }

  private entry(name: string, rule: WindowRule, key: string): Entry {
    const slot = `${name}\n${key}`;
    let e = this.entries.get(slot);
    if (!e) this.entries.set(slot, (e = { item: { name, rule, key }, known: 0, pending: 0, fresh: 0, waiters: [], inflight: 0, resetAt: 0, crossed: false }));
    return e;
  }

  /** The primary's window has ended: what it knew no longer counts. */
  private roll(e: Entry, now: number): void {
    if (e.resetAt && now >= e.resetAt) Object.assign(e, { known: 0, resetAt: 0, crossed: false });
  }

  private msLeft(e: Entry, now: number): number {
    return e.resetAt ? e.resetAt - now : e.item.rule.durationSeconds * 1000;
  }

  private increment(e: Entry, allowance: number): Promise<WindowCounterState> {
    const now = Date.now();
    this.roll(e, now);
    const { points } = e.item.rule;
    const count = e.known + e.pending + e.fresh + 1;
    if (e.known > points) {
      // The primary already refused in this window: refuse here, uncounted. Only a crossing
      // that no refusal has reported yet makes this the window's first refusal (points + 1).
      const first = e.crossed;
      e.crossed = false;
      return Promise.resolve({ consumedPoints: first ? points + 1 : Math.max(count, points + 2), msBeforeNext: this.msLeft(e, now) });
    }
    if (count <= points && e.pending + e.fresh < allowance) {
      e.fresh++;
      this.dirty.add(e);
      this.timer ??= setTimeout(() => this.flush(), this.flushMs).unref();
      return Promise.resolve({ consumedPoints: count, msBeforeNext: this.msLeft(e, now) });
    }
    return new Promise((resolve, reject) => {
      e.waiters.push({ resolve, reject });
      this.dirty.add(e);
      this.flush();
    });
  }

  /** Sends every admitted count and waiting request in one message; applies the totals when they come back. */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.dirty].map((e) => ({ e, fresh: e.fresh, waiters: e.waiters }));
    this.dirty.clear();
    if (!batch.length) return;
    for (const b of batch) {
      b.e.pending += b.fresh;
      b.e.fresh = 0;
      b.e.waiters = [];
      b.e.inflight++;
    }
    this.sweep();
    this.link.request({ brokeridLimits: 1, t: 'add', items: batch.map((b) => ({ ...b.e.item, n: b.fresh + b.waiters.length })) }).then((reply) => {
      if (reply.t !== 'added') throw new Error(`rate limits: unexpected answer ${reply.t} from the cluster primary`);
      const now = Date.now();
      batch.forEach((b, i) => this.apply(b, reply.states[i] ?? { total: 0, msBeforeNext: 0 }, now));
    }).catch((err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const b of batch) {
        b.e.inflight--;
        b.e.pending -= b.fresh; // lost with the message: the limits fail open
        for (const w of b.waiters) w.reject(error);
      }
    });
  }

  private apply(b: { e: Entry; fresh: number; waiters: Entry['waiters'] }, state: { total: number; msBeforeNext: number }, now: number): void {
    const { e } = b;
    const { points } = e.item.rule;
    e.inflight--;
    e.pending -= b.fresh;
    e.known = state.total;
    e.resetAt = now + state.msBeforeNext;
    const before = state.total - b.fresh - b.waiters.length;
    // This batch holds position points + 1: the window's first refusal is in it, or is still to come.
    let hit = before <= points && state.total > points;
    b.waiters.forEach((w, i) => {
      const position = before + b.fresh + i + 1;
      const first = hit && position > points;
      if (first) hit = false;
      w.resolve({ consumedPoints: position <= points ? position : first ? points + 1 : Math.max(position, points + 2), msBeforeNext: state.msBeforeNext });
    });
    if (hit) e.crossed = true;
  }

  /** Forgets keys with nothing counted here and no open window, at most once a second. */
  private sweep(): void {
    const now = Date.now();
    if (now < this.nextSweep) return;
    this.nextSweep = now + 1000;
    for (const [slot, e] of this.entries) {
      this.roll(e, now);
      if (!e.known && !e.inflight && !e.fresh && !e.waiters.length) this.entries.delete(slot);
    }
  }
}
