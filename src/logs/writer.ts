import type { Logger } from '../lib/logger.ts';
import { randomId } from '../lib/ids.ts';
import type { LogRepo } from '../store/types.ts';
import { sanitizeEvent } from './sanitize.ts';
import { describeLogType } from './types.ts';
import type { LogEvent, LogEventInput, LogSink } from './types.ts';

export interface LogWriterOptions {
  repo: LogRepo;
  logger: Logger;
  /** Longest time an event waits in the queue before a flush starts. */
  flushMs: number;
  /** Events per store write; a full batch is flushed at once. */
  batchSize: number;
  /** Most events held in memory; beyond it the oldest are dropped (and counted). */
  maxQueue: number;
  /** Completes a batch before it is stored (e.g. client names), off the producers' path; must not throw. */
  complete?: (batch: LogEvent[]) => Promise<void>;
}

/** The defaults: a flush every 100 ms or per 200 events, at most 10,000 events (a few MB) queued. */
export const WRITER_DEFAULTS = { flushMs: 100, batchSize: 200, maxQueue: 10_000 } as const;

/** A sink that batches events into the store, plus what its owner needs to stop it. */
export interface LogWriter extends LogSink {
  /** Writes everything queued so far (resolves when stored or given up). */
  flush(): Promise<void>;
  /** Stops accepting events and flushes what is queued. */
  close(): Promise<void>;
  /** Events dropped so far: queue overflow, store failures, emits after close. */
  readonly dropped: number;
}

const DROP_WARN_MS = 5000;

let sequence = 0;

/**
 * A log_id that sorts by creation time within a process: `90`, the epoch ms, a counter
 * and 12 random characters. Ids that grow keep inserts at the right edge of the primary
 * index (one hot page) instead of scattering them over a million-event tree.
 */
export function newLogId(ms: number): string {
  sequence = (sequence + 1) % 1_000_000;
  return `90${String(ms).padStart(14, '0')}${String(sequence).padStart(6, '0')}${randomId(12)}`;
}

/**
 * Buffers events and writes them in batches, off the caller's path: `emit` only sanitizes
 * and queues; one flush at a time runs on a timer (unref'd: it never keeps a process
 * alive). A slow store makes the queue fill up to `maxQueue`, after which the oldest events
 * are dropped with a rate-limited warning: memory stays bounded, requests never wait.
 */
export function createLogWriter(options: LogWriterOptions): LogWriter {
  const { repo, logger, flushMs, batchSize, maxQueue, complete } = options;
  const queue: LogEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let closed = false;
  let dropped = 0;
  let lastWarn = 0;
  let unreported = 0;

  const drop = (count: number, why: string): void => {
    dropped += count;
    unreported += count;
    const now = Date.now();
    if (now - lastWarn < DROP_WARN_MS) return;
    lastWarn = now;
    logger.warn({ dropped: unreported, droppedTotal: dropped, queued: queue.length }, `tenant logs: events dropped (${why})`);
    unreported = 0;
  };

  const schedule = (delay: number): void => {
    if (inFlight || queue.length === 0) return;
    if (timer) {
      // A full batch does not wait for the timer a first event started.
      if (delay > 0) return;
      clearTimeout(timer);
    }
    timer = setTimeout(() => {
      timer = undefined;
      void flushOnce();
    }, delay);
    timer.unref();
  };

  const flushOnce = (): Promise<void> => {
    if (inFlight) return inFlight;
    if (queue.length === 0) return Promise.resolve();
    const batch = queue.splice(0, batchSize);
    inFlight = (complete ? complete(batch) : Promise.resolve()).then(() => repo.insertMany(batch)).catch((err: unknown) => {
      // Not retried: a batch the store refused once (or half-wrote) must not be stored twice.
      logger.error({ err: { message: (err as Error).message } }, 'tenant logs: the store refused a batch');
      drop(batch.length, 'store write failed');
    }).finally(() => {
      inFlight = undefined;
      schedule(queue.length >= batchSize ? 0 : flushMs);
    });
    return inFlight;
  };

  const flush = async (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    while (inFlight || queue.length > 0) await flushOnce();
  };

  return {
    emit(input: LogEventInput) {
      try {
        if (closed) return drop(1, 'writer closed');
        const given = input.date === undefined ? Date.now() : Date.parse(input.date);
        // Re-formatted with toISOString: the stores rely on the text order of dates being their time order.
        const ms = Number.isFinite(given) ? given : Date.now();
        queue.push(sanitizeEvent({
          ...input, log_id: newLogId(ms), date: new Date(ms).toISOString(), description: input.description ?? describeLogType(input.type),
        }));
        if (queue.length > maxQueue) drop(queue.splice(0, queue.length - maxQueue).length, 'the store is not keeping up; oldest queued events dropped');
        schedule(queue.length >= batchSize ? 0 : flushMs);
      } catch (err) {
        // A producer's bad event must never fail the request that emitted it.
        drop(1, `event refused: ${(err as Error).message}`);
      }
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
    get dropped() {
      return dropped;
    },
  };
}
