/**
 * The server's Prometheus metrics, as the parts that record them see them. Every recording
 * call only increments a counter or observes a histogram in memory (no I/O, no await), so it
 * may sit on a login's path; the text is built only when /metrics is scraped.
 *
 * Label values come from this server's own records (connection names of stored
 * connections, step names of the callback table, limit kinds), never from the request, so
 * the number of series stays bounded whatever clients send.
 */

import type { SandboxMetrics } from '../sandbox/types.ts';
import type { StoreMetrics } from '../store/types.ts';
import type { StoreObserver } from '../store/observe.ts';

/** The label used when a failed login names no connection this server knows. */
export const UNKNOWN_CONNECTION = '(unknown)';

/** How a login ended, for the login counter. */
export type LoginOutcome = 'success' | 'failure';

/** What the brokered login records. */
export interface LoginMetrics {
  /** One login ended: `step` is the callback step (or `start`) that ended a failure. */
  login(connection: string, outcome: LoginOutcome, step?: string): void;
  /** One callback step took `seconds` (exchangeCode is the upstream token request, runProfile the script run). */
  step(step: string, seconds: number): void;
  /** The whole callback (from the provider's redirect to our answer) took `seconds`. */
  callback(outcome: LoginOutcome, seconds: number): void;
}

/** What the script sandbox records (declared by the sandbox, which imports nothing from here). */
export type { SandboxMetrics } from '../sandbox/types.ts';

/** What the store records (declared by the store, which imports nothing from here). */
export type { StoreMetrics } from '../store/types.ts';

/** What the rate limits record: a key went over limit `kind` (once per window, as the api_limit event). */
export interface LimitMetrics {
  rateLimitHit(kind: string): void;
}

/** What the store records (declared by the store, which imports nothing from here): calls that threw. */
export type { StoreObserver } from '../store/observe.ts';

/** The process's metrics: everything above plus the exposition text for /metrics. */
export interface Metrics extends LoginMetrics, SandboxMetrics, LimitMetrics, StoreMetrics, StoreObserver {
  /** The Content-Type of `render()`'s text. */
  readonly contentType: string;
  /** The Prometheus text exposition of every metric of this process (including the default process metrics). */
  render(): Promise<string>;
}
