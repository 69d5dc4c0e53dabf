import type { WindowCounter, WindowCounterState, WindowRule } from '../lib/window-counter.ts';

/**
 * Rate limits and brute-force guards. Every limit is a fixed window of `points` per
 * `durationSeconds` per key, counted in one place for the whole deployment: the process
 * itself (one process), the cluster primary (WORKERS > 1), or MongoDB (STORE=mongodb, shared
 * by every server on the database).
 */

/** The limits the server knows; each has its own settings (src/limits/rules.ts). */
export type LimitKind =
  /** Failed client authentications on /oauth/token, per client_id + IP. */
  | 'token_auth_client_ip'
  /** Failed client authentications on /oauth/token, per IP (all clients). */
  | 'token_auth_ip'
  /** Requests to /authorize, per IP. */
  | 'authorize_ip'
  /** Requests to /login/* (pages, upstream callbacks), per IP. */
  | 'login_ip'
  /** Management API requests, per token (jti, or sub + azp). */
  | 'management_token'
  /** Management API requests whose token is refused (401), per IP. */
  | 'management_auth_ip';

/** What a limit says about one key right now. */
export interface LimitDecision {
  /** False when the key is over its limit: answer 429 with `retryAfterSeconds`. */
  allowed: boolean;
  /** The limit's points per window. */
  limit: number;
  /** Points left in the current window (0 when over). */
  remaining: number;
  /** Unix time (s) at which the current window ends and the count starts again. */
  resetAt: number;
  /** Whole seconds until the window ends (at least 1); what `Retry-After` says. */
  retryAfterSeconds: number;
}

/** Who caused a hit, for the `api_limit` event and the warn line (never secrets). */
export interface LimitSubject {
  ip?: string;
  client_id?: string;
  user_agent?: string;
}

/**
 * The rate limits of this server.
 * - `consume` counts one request for `key` and decides (request limits).
 * - `check` decides without counting; `fail` counts one failure (brute-force guards: only
 *   failures count, and a success never resets anyone's count).
 * - The first time a key goes over its limit in a window, one `api_limit` tenant-log event
 *   and one warn line are written (not one per refused request).
 * - A counter backend that does not answer never blocks traffic: the request is allowed and
 *   the failure logged (fail open), so the limiter cannot take the server down.
 * - With `enabled` false (RATE_LIMITS=false) every call allows and nothing is counted.
 */
export interface Limits {
  readonly enabled: boolean;
  consume(kind: LimitKind, key: string, subject?: LimitSubject): Promise<LimitDecision>;
  check(kind: LimitKind, key: string): Promise<LimitDecision>;
  fail(kind: LimitKind, key: string, subject?: LimitSubject): Promise<LimitDecision>;
}

/** A limit's points and window, its counter and a count: the store's window counters (src/lib/window-counter.ts). */
export type LimitRule = WindowRule;
export type Counter = WindowCounter;
export type CounterState = WindowCounterState;

/** Makes the counter of one limit kind (src/limits/counters.ts; the mongo store has its own). */
export type CounterFactory = (kind: LimitKind, rule: LimitRule) => Counter;
