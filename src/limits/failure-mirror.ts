import type { WindowCounter, WindowRule } from '../lib/window-counter.ts';
import type { FailureEntry } from './cluster-protocol.ts';
import { FixedWindows } from './fixed-windows.ts';
import type { PrimaryLink } from './primary-link.ts';

/**
 * A worker's copy of the failure counts (token_auth_*, management_auth_ip): every failure is
 * counted at the primary, which answers only once every other worker's mirror holds it, so
 * `peek` (the check in front of every /oauth/token and Management request) reads this copy
 * with no message at all and is still exact. The first `peek` waits for the primary's
 * current failures (a worker started later must see the counts made before it).
 */
export class FailureMirror {
  private readonly counts = new FixedWindows();
  private readonly ready: Promise<void>;
  private isReady = false;

  private readonly link: PrimaryLink;

  constructor(link: PrimaryLink) {
    this.link = link;
    link.onPush((msg) => {
      this.apply(msg.entry, Date.now());
      link.tell({ brokeridLimits: 1, t: 'ack', ack: msg.ack });
    });
    // Unreachable primary: start empty (fail open, as every limit does) rather than block every check.
    this.ready = link.request({ brokeridLimits: 1, t: 'hello' }).then((reply) => {
      const now = Date.now();
      if (reply.t === 'welcome') for (const entry of reply.entries) this.apply(entry, now);
    }, () => {}).finally(() => {
      this.isReady = true;
    });
  }

  /** The counter of one failure limit. */
  counter(name: string, rule: WindowRule): WindowCounter {
    return {
      increment: async (key) => {
        const reply = await this.link.request({ brokeridLimits: 1, t: 'fail', name, rule, key });
        if (reply.t !== 'failed') throw new Error(`rate limits: unexpected answer ${reply.t} from the cluster primary`);
        this.apply(reply.entry, Date.now());
        return { consumedPoints: reply.entry.total, msBeforeNext: reply.entry.msBeforeNext };
      },
      peek: async (key) => {
        if (!this.isReady) await this.ready;
        const c = this.counts.get(`${name}\n${key}`);
        return c ? { consumedPoints: c.total, msBeforeNext: c.msBeforeNext } : null;
      },
    };
  }

  /** Keeps the primary's latest count of a key (a later window replaces an ended one). */
  private apply(entry: FailureEntry, now: number): void {
    const slot = `${entry.name}\n${entry.key}`;
    const seen = this.counts.get(slot, now);
    // Pushes and answers can cross on the way: within one window only a higher count is news.
    if (seen && Math.abs(seen.msBeforeNext - entry.msBeforeNext) < 1000 && seen.total >= entry.total) return;
    this.counts.put(slot, entry, now);
  }
}
