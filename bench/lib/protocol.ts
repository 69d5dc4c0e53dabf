/** What the orchestrator asks of a driver process, and what it answers. */

/** A whole authorization-code login (PKCE, confidential client), optionally through a connection. */
export interface LoginScenario {
  kind: 'login';
  /** The `iss` every id_token must carry. */
  issuer: string;
  /** Where the app sends the browser, and where it redeems the code. */
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Connections the virtual users rotate over (`connection=`); none for a plain provider. */
  connections: string[];
}

/** One client-credentials token request. */
export interface TokenScenario {
  kind: 'client_credentials';
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Extra form parameters (`audience`, or `resource` + `scope`). */
  params: Record<string, string>;
}

export type Scenario = LoginScenario | TokenScenario;

export interface DriverJob {
  scenario: Scenario;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface Percentiles { p50: number; p95: number; p99: number; mean: number; max: number }

export interface DriverResult {
  concurrency: number;
  /** Iterations that finished inside the measured window. */
  completed: number;
  /** Failed iterations over the whole step (warm-up included). */
  errors: number;
  errorSamples: string[];
  /** Completed iterations per second over the measured window. */
  rate: number;
  /** Whole-iteration latency (ms) of the measured iterations. */
  latency: Percentiles;
  /** Mean latency (ms) and count per request of the flow ("idp GET /login/:id", ...). */
  hops: Record<string, { meanMs: number; count: number }>;
  measuredMs: number;
}

/** Messages a driver sends to its parent. */
export type DriverMessage =
  | { t: 'measure-start' }
  | { t: 'measure-end' }
  | { t: 'result'; result: DriverResult };

/** One case of the sandbox micro-benchmark (bench/sandbox.ts). */
export interface SandboxCase { runs: number; latencyUs: Percentiles; runsPerSecond: number }
