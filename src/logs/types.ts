/**
 * The tenant-logs contract as the logs feature and its producers see it. The vocabulary
 * itself (event shape, type catalogue, LogSink) lives in lib/log-events.ts, below the store
 * and users layers, so the Store contract can name a log event without importing upward.
 */
export * from '../lib/log-events.ts';
