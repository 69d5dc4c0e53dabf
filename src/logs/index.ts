import type { Logger } from '../lib/logger.ts';
import type { LogRepo } from '../store/types.ts';
import { NO_LOGS, type LogSink } from './types.ts';
import { clientNameFiller, type ClientNameLookup } from './client-names.ts';
import { createLogWriter, WRITER_DEFAULTS, type LogWriterOptions } from './writer.ts';

export type { LogEventInput, LogSink } from './types.ts';
export { requestFields } from './context.ts';

/**
 * Everything tenant logs need, as the one object other parts pass around: producers call
 * `sink.emit(...)`; the Management API reads through `repo`.
 */
export interface TenantLogs {
  sink: LogSink;
  repo: LogRepo;
  /** Stops the retention timer and flushes queued events (before the store closes). */
  close(): Promise<void>;
}

export interface TenantLogsOptions {
  repo: LogRepo;
  logger: Logger;
  /** Events older than this many days are purged (LOGS_RETENTION_DAYS). */
  retentionDays: number;
  /** False (LOGS_ENABLED=false): producers' events are dropped at once; stored events stay readable and are still purged. */
  enabled?: boolean;
  /** How often the purge runs; default hourly. */
  purgeEveryMs?: number;
  /** Delay of the first purge; default a random 0–60 s, so the workers of one server do not all purge at once. */
  firstPurgeMs?: number;
  /** Names the applications of events that carry only a client_id (looked up when the writer flushes). */
  clientName?: ClientNameLookup;
  writer?: Partial<Pick<LogWriterOptions, 'flushMs' | 'batchSize' | 'maxQueue'>>;
}

const DAY_MS = 86_400_000;

/** The writer plus the retention purge (an unref'd timer, so it never keeps the process alive). */
export function createTenantLogs(options: TenantLogsOptions): TenantLogs {
  const { repo, logger, retentionDays } = options;
  const complete = options.clientName ? clientNameFiller(options.clientName) : undefined;
  const writer = createLogWriter({ repo, logger, ...WRITER_DEFAULTS, ...options.writer, ...(complete ? { complete } : {}) });
  const purge = async (): Promise<void> => {
    try {
      const removed = await repo.purgeBefore(new Date(Date.now() - retentionDays * DAY_MS).toISOString());
      if (removed > 0) logger.info({ removed, retentionDays }, 'tenant logs: purged events past retention');
    } catch (err) {
      logger.error({ err: { message: (err as Error).message } }, 'tenant logs: retention purge failed; retrying at the next run');
    }
  };
  const first = setTimeout(() => void purge(), options.firstPurgeMs ?? Math.random() * 60_000);
  const timer = setInterval(() => void purge(), options.purgeEveryMs ?? 3_600_000);
  first.unref();
  timer.unref();
  return {
    sink: options.enabled === false ? NO_LOGS : writer,
    repo,
    async close() {
      clearTimeout(first);
      clearInterval(timer);
      await writer.close();
    },
  };
}
