import type { EgressPolicy } from '../lib/egress.ts';

/**
 * The contract of the profile-script sandbox. A connection's `fetchUserProfile` script is
 * admin-written code: it is run isolated from the server and from every other run, within
 * time, memory and network limits, and every way it can fail comes back as a value.
 */

/** How a profile script is written (Auth0's form); every "not a function" message shows it. */
export const PROFILE_SCRIPT_FORM = 'function (accessToken, ctx, cb) { ... }';

/** One run of a connection's profile script. */
export interface ProfileScriptInput {
  /** Connection id + script version. The compiled script is cached per key, so a changed script needs a new key. */
  cacheKey: string;
  /** The script as Auth0 stores it: a function expression `function (accessToken, ctx, cb) {...}`,
   *  or a function (e.g. `async function (accessToken, ctx)`) whose returned promise yields the profile. */
  script: string;
  /** The upstream access token, passed as the first argument. */
  accessToken: string;
  /** The provider's token response, passed (as a copy) as the second argument. */
  context: Record<string, unknown>;
  /** Collect a `trace` of the run (console output, request summaries). Off for logins: then
   *  console.* stays a no-op and nothing is recorded. */
  trace?: boolean;
}

/** Bounds of a trace's console output: lines beyond either are dropped and `truncated` is set. */
export const TRACE_LIMITS = { lines: 100, bytes: 16 * 1024 } as const;

/** One console.* call of the script, its arguments joined as text (objects as JSON). */
export interface ConsoleLine {
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  text: string;
}

/** One request the script made: never a header or body, and every query value masked. */
export interface ScriptRequestSummary {
  method: string;
  /** Scheme, host and path; query parameter names with their values replaced by "…". */
  url: string;
  /** The response status, or `error` when there was none. */
  status?: number;
  error?: string;
  /** From the script's call to the response reaching the script. */
  ms: number;
}

/**
 * What a traced run did, whatever its outcome. Guarantees: at most TRACE_LIMITS of console
 * output; the access token never appears in it (each occurrence is replaced by
 * "[access token]"); request summaries carry no header values, bodies or query values.
 */
export interface ScriptTrace {
  console: ConsoleLine[];
  /** True when console output went past TRACE_LIMITS. */
  truncated: boolean;
  requests: ScriptRequestSummary[];
}

/**
 * Why a run produced no profile.
 * - `syntax`: the script does not compile (`line` when known).
 * - `not_a_function`: it compiles but does not evaluate to a function (a bare statement such as
 *   `cb(null, {...})`, a value, or code outside the function that throws); `line` when known.
 * - `thrown`: the script threw, or its promise rejected, or it broke the sandbox's own helpers in
 *   its context (`line` within the script when known). Every error the isolate raises while the
 *   isolate is alive belongs to the script: it is never `crashed`.
 * - `callback_error`: the script called `cb(err)`; `message` is the error's message.
 * - `timeout`: the run exceeded `timeoutMs` (wall time, including awaited requests) or its CPU budget.
 * - `memory`: the sandbox exceeded `memoryMb`.
 * - `no_callback`: the script returned, no request was pending and `cb` was never called.
 * - `egress_denied`: a request targeted a scheme or address the egress policy forbids.
 * - `request_limit`: more than `maxRequests` requests, or responses over `maxResponseBytes` in total.
 * - `invalid_result`: the profile is not a plain JSON object with a `user_id` as lib/profile.ts defines it
 *   (a non-empty string of at most 255 characters, or a number).
 * - `crashed`: the sandbox process died or the runner is closed.
 */
export const SCRIPT_FAILURE_KINDS = [
  'syntax', 'not_a_function', 'thrown', 'callback_error', 'timeout', 'memory', 'no_callback',
  'egress_denied', 'request_limit', 'invalid_result', 'crashed',
] as const;

/** One of SCRIPT_FAILURE_KINDS; the list is the one definition (the wire protocol parses the same list). */
export type ScriptFailureKind = (typeof SCRIPT_FAILURE_KINDS)[number];

/**
 * The outcome of a run. `profile` is plain JSON data copied out of the sandbox (never a live
 * object of the script). Messages are the script's own or describe the limit hit; they never
 * contain the access token or request headers the runner added. `durationMs` is measured
 * by the caller's side of the runner, from `run()` to its result. `trace` is present when the
 * input asked for one and the sandbox process answered (a run lost with its process has none).
 */
export type ScriptResult =
  | { ok: true; profile: Record<string, unknown>; durationMs: number; trace?: ScriptTrace }
  | { ok: false; kind: ScriptFailureKind; message: string; line?: number; durationMs: number; trace?: ScriptTrace };

/**
 * Why a script fails its check at save time.
 * - `syntax`: it does not compile; `line` and `column` (1-based) are positions in the script as written.
 * - `not_a_function`: it compiles but does not evaluate to a function: a bare statement such as
 *   `cb(null, {...})`, an object, or code that throws (or loops) when evaluated; `line` when known.
 * - `unavailable`: the sandbox could not answer (its process died, did not start, or the runner
 *   is closed); nothing is wrong with the script, the check is worth retrying.
 */
export const SCRIPT_CHECK_FAILURES = ['syntax', 'not_a_function', 'unavailable'] as const;

/** One of SCRIPT_CHECK_FAILURES. */
export type ScriptCheckFailure = (typeof SCRIPT_CHECK_FAILURES)[number];

/**
 * How long evaluating a script may take during a check. A function expression evaluates at
 * once (its body does not run), so only code outside the function can come near this.
 */
export const SCRIPT_CHECK_TIMEOUT_MS = 1000;

/** What a check found; `durationMs` is measured on the caller's side, as for runs. */
export type ScriptCheck =
  | { ok: true; durationMs: number }
  | { ok: false; kind: ScriptCheckFailure; message: string; line?: number; column?: number; durationMs: number };

/** Runs profile scripts. */
export interface ScriptRunner {
  /** Runs one script. Never rejects: every expected failure is a `ScriptResult` with `ok: false`.
   *  Runs are independent: globals written by one run are never visible to another. */
  run(input: ProfileScriptInput): Promise<ScriptResult>;
  /**
   * Checks a script the way a run would start it, without running it: compiles it in the
   * sandbox's isolate and evaluates it in a fresh context (within SCRIPT_CHECK_TIMEOUT_MS,
   * its requests refused) to see that it is a function, which is never called. Nothing of the
   * script runs in the caller's process, and nothing is cached for later runs. Never rejects:
   * a closed runner or a dead sandbox process is `unavailable`.
   */
  check(script: string): Promise<ScriptCheck>;
  /** Stops the sandbox; runs still in flight resolve as `crashed`. Later runs resolve as `crashed`. */
  close(): Promise<void>;
}

/** Limits applied to every run. */
export interface SandboxLimits {
  /** Wall time of one run, from start to profile, including the requests it awaits. Also its CPU budget. */
  timeoutMs: number;
  /** Heap limit of the isolate that runs scripts. */
  memoryMb: number;
  /** Outbound requests one run may make. */
  maxRequests: number;
  /** Total response bytes one run may read, over all its requests. */
  maxResponseBytes: number;
  /** Policy of every script request (scheme, addresses, per-request timeout and size). */
  egress: EgressPolicy;
}

/** Why the supervisor replaced a sandbox process. */
export type SandboxRestartReason = 'crashed' | 'memory' | 'unresponsive';

/** What the supervisor reports as it happens (the server's metrics implement it). */
export interface SandboxMetrics {
  /** A sandbox process was replaced by a fresh one. */
  sandboxRestarted(reason: SandboxRestartReason): void;
  /**
   * A run or check was handed to a sandbox process (+1) or answered, by the process or for it
   * (-1): the sum is what waits in, or runs in, the sandbox. Every +1 is followed by one -1.
   */
  sandboxQueueChanged(delta: 1 | -1): void;
}
