import type { Reply, ToPrimary, ToWorker } from './cluster-protocol.ts';

/** How long a worker waits for the cluster primary's answer before giving up (the limits then fail open). */
export const LINK_TIMEOUT_MS = 2000;

/** A worker's end of the channel to the primary (process.send / 'message' in a cluster worker). */
export interface Port {
  send(msg: ToPrimary): void;
  onMessage(handler: (msg: ToWorker) => void): void;
}

type Request = ToPrimary extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

/** Requests to the primary, each answered by the reply with its id; pushes go to `onPush`. */
export class PrimaryLink {
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private pushHandler: (msg: Extract<ToWorker, { t: 'push' }>) => void = () => {};

  private readonly port: Port;
  private readonly timeoutMs: number;

  constructor(port: Port, timeoutMs = LINK_TIMEOUT_MS) {
    this.port = port;
    this.timeoutMs = timeoutMs;
    port.onMessage((msg) => {
      if (msg.t === 'push') return this.pushHandler(msg);
      const waiter = this.pending.get(msg.id);
      if (!waiter) return; // answered after its timeout: already failed open
      this.pending.delete(msg.id);
      clearTimeout(waiter.timer);
      waiter.resolve(msg);
    });
  }

  /** Sends `msg` and resolves the primary's reply (rejects after the timeout). */
  request(msg: Request): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`rate limits: no answer from the cluster primary in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.port.send({ ...msg, id } as ToPrimary);
      } catch (err) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Sends without waiting for an answer. */
  tell(msg: Extract<ToPrimary, { t: 'ack' }>): void {
    this.port.send(msg);
  }

  onPush(handler: (msg: Extract<ToWorker, { t: 'push' }>) => void): void {
    this.pushHandler = handler;
  }
}
