import type { AddItem, FailureEntry, ToPrimary, ToWorker } from './cluster-protocol.ts';
import { FixedWindows } from './fixed-windows.ts';

/** How long a failure's answer waits for the other workers' acks (a stuck worker must not hold up the rest). */
export const ACK_TIMEOUT_MS = 1000;

/** A worker as the primary sees it: where to send. */
export interface Peer { id: number; send(msg: ToWorker): void }

const slot = (name: string, key: string) => `${name}\n${key}`;

/**
 * The cluster primary's counts, for every worker of the server (see the contract in types.ts):
 * request counts arrive in batches and are answered with the totals; a failure is answered
 * only after every registered worker has acknowledged it into its mirror, so the next check
 * on any worker already sees it. Transport-free (the cluster wiring is in cluster-counters.ts).
 */
export class LimitsHub {
  private readonly requests = new FixedWindows();
  private readonly failures = new FixedWindows();
  private readonly peers = new Map<number, Peer>();
  /** Acks still awaited, per push: the workers that have not answered and what to do once all have. */
  private readonly waiting = new Map<number, { peers: Set<number>; done: () => void }>();
  private nextAck = 1;

  /** Handles one message from `from`. */
  receive(from: Peer, msg: ToPrimary): void {
    switch (msg.t) {
      case 'add':
        return from.send({ brokeridLimits: 1, t: 'added', id: msg.id, states: msg.items.map((item) => this.add(item)) });
      case 'hello':
        this.peers.set(from.id, from);
        return from.send({ brokeridLimits: 1, t: 'welcome', id: msg.id, entries: this.failureEntries() });
      case 'fail': {
        const state = this.failures.add(slot(msg.name, msg.key), 1, msg.rule.durationSeconds * 1000);
        const entry: FailureEntry = { name: msg.name, key: msg.key, ...state };
        return this.push(from.id, entry, () => from.send({ brokeridLimits: 1, t: 'failed', id: msg.id, entry }));
      }
      case 'ack':
        return this.acked(from.id, msg.ack);
    }
  }

  /** A worker that has gone: no more pushes to it, and nobody waits for its acks. */
  leave(id: number): void {
    this.peers.delete(id);
    for (const ack of [...this.waiting.keys()]) this.acked(id, ack);
  }

  private add(item: AddItem) {
    return this.requests.add(slot(item.name, item.key), item.n, item.rule.durationSeconds * 1000);
  }

  private failureEntries(): FailureEntry[] {
    return [...this.failures.entries()].map(([s, state]) => {
      const cut = s.indexOf('\n');
      return { name: s.slice(0, cut), key: s.slice(cut + 1), ...state };
    });
  }

  /** Sends `entry` to every registered worker but `sender`; `done` once all have acked (or after ACK_TIMEOUT_MS). */
  private push(sender: number, entry: FailureEntry, done: () => void): void {
    const others = [...this.peers.values()].filter((p) => p.id !== sender);
    if (!others.length) return done();
    const ack = this.nextAck++;
    const timer = setTimeout(() => this.finish(ack), ACK_TIMEOUT_MS);
    this.waiting.set(ack, { peers: new Set(others.map((p) => p.id)), done: () => (clearTimeout(timer), done()) });
    for (const peer of others) peer.send({ brokeridLimits: 1, t: 'push', ack, entry });
  }

  private acked(peer: number, ack: number): void {
    const w = this.waiting.get(ack);
    if (!w) return;
    w.peers.delete(peer);
    if (!w.peers.size) this.finish(ack);
  }

  private finish(ack: number): void {
    const w = this.waiting.get(ack);
    if (!w) return;
    this.waiting.delete(ack);
    w.done();
  }
}
