import type { WindowCounter, WindowCounterState, WindowRule } from '../lib/window-counter.ts';

/**
 * Rate limits and brute-force guards. Every limit is a fixed window of `points` per
 * `durationSeconds` per key, counted for the whole deployment: in the process itself (one
 * process), at the cluster primary (WORKERS > 1), or in MongoDB (STORE=mongodb, shared by
 * every server on the database; one atomic update per count, exact).
 *
 * With WORKERS = N > 1 (src/limits/cluster-counters.ts):
 * - **Failure limits** (token_auth_*, management_auth_ip) are exact. Each failure is counted
 *   at the primary, which answers only after every other worker has it in its local mirror;
 *   the failure's 401 waits for that answer (count-failure.ts), so the next attempt on any
 *   worker is already refused at the limit. The check in front of every /oauth/token and
 *   Management request reads the worker's mirror: no message on a success.
 * - **Request limits** (authorize_ip, login_ip, management_token) are decided by the worker
 *   itself while the key's known total (the primary's last answer plus this worker's counts
 *   since) is within the limit and this worker holds at most A = floor(points × REQUEST_SLACK
 *   / N) admissions of the key the primary has not yet answered; it sends its counts in one
 *   message every FLUSH_MS (20 ms, src/limits/batched-requests.ts). Past either bound the
 *   request waits for the primary's exact answer.
 *   Guarantees, per key and window:
 *   - over-admission: at most points + N × A requests are admitted (≤ points × (1 + REQUEST_SLACK)).
 *     Why: order the counts as the primary adds them. Take the first of one worker's local
 *     admissions counted beyond `points`; it was admitted before the answer to its batch
 *     reached the worker, and from that answer on the worker knows a total over `points`
 *     and admits nothing more. So its admissions beyond `points` were all unanswered at
 *     that moment: at most A. A request the primary decides is admitted only within
 *     `points`. Shown with the worst case in test/limits/limits-cluster.test.ts and across
 *     two real workers in test/e2e/limits-workers.test.ts. A limit with A = 0
 *     (points < 10 × N) is exact;
 *   - no under-admission: a request is refused only once the primary has counted more than
 *     `points` in the window (every count up to `points` is an admitted request);
 *   - lateness: the primary's window for a key starts at the first count it receives, at
 *     most FLUSH_MS plus one IPC hop after the first request (and ends that much later); a
 *     worker forgets a window one hop after the primary has ended it. A worker's view of
 *     the other workers' counts is as old as its last answer for the key: the allowance A
 *     is what bounds the error, not a time;
 *   - one `api_limit` event per key and window across the workers: the batch that holds
 *     count points + 1 reports it (at once when that is a refused request, else at this
 *     worker's next refusal of the key);
 *   - `remaining` (X-RateLimit-Remaining) is the deciding worker's view of the total.
 *   A worker that restarts starts with no counts of its own (its earlier admissions stay
 *   counted at the primary). A primary that does not answer in 2 s: the limits fail open.
 */

/** Share of a request limit the workers together may admit beyond it (see the bound above). */
export const REQUEST_SLACK = 0.1;

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

/** A limit's points and window (the store's window counters, src/lib/window-counter.ts); `failures`: only failures count, exactly. */
export type LimitRule = WindowRule & { failures: boolean };
/** A limit's counter and a count. */
export type Counter = WindowCounter;
export type CounterState = WindowCounterState;

/** Makes the counter of one limit kind (src/limits/counters.ts; the mongo store has its own). */
export type CounterFactory = (kind: LimitKind, rule: LimitRule) => Counter;
