import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { sandboxMetrics } from './sandbox.ts';
import type { LoginOutcome, Metrics } from './types.ts';
import { clusterRender } from './cluster.ts';
import { storeErrorCounter, storeStatementMetrics } from './store.ts';

/** Login latencies: from a few ms (a refused state) to the upstream timeout and beyond. */
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A fresh registry with the server's metrics and prom-client's default process metrics.
 * With `cluster`, a cluster worker's render returns every worker's metrics (cluster.ts).
 */
export function createMetrics(options: { cluster?: boolean } = {}): Metrics {
  const register = new Registry();
  collectDefaultMetrics({ register });
  const logins = new Counter({
    name: 'brokerid_logins_total', help: 'Brokered logins by connection and outcome; step is the step that ended a failure ("" on success).',
    labelNames: ['connection', 'outcome', 'step'] as const, registers: [register],
  });
  const steps = new Histogram({
    name: 'brokerid_login_step_duration_seconds',
    help: 'Duration of each callback step of a brokered login (exchangeCode: the upstream token request; runProfile: the profile script run; saveUser: the store write).',
    labelNames: ['step'] as const, buckets: SECONDS_BUCKETS, registers: [register],
  });
  const callbacks = new Histogram({
    name: 'brokerid_login_callback_duration_seconds', help: 'Duration of the whole upstream callback of a brokered login, by outcome.',
    labelNames: ['outcome'] as const, buckets: SECONDS_BUCKETS, registers: [register],
  });
  const limitHits = new Counter({
    name: 'brokerid_rate_limit_hits_total', help: 'Keys that went over a rate limit (once per key and window, as the api_limit event), by limit.',
    labelNames: ['limit'] as const, registers: [register],
  });
  const store = storeStatementMetrics(register);
  const storeErrors = storeErrorCounter(register);
  const clustered = options.cluster ? clusterRender(register) : undefined;
  return {
    ...store,
    contentType: register.contentType,
    storeError: storeErrors,
    login: (connection: string, outcome: LoginOutcome, step = '') => logins.inc({ connection, outcome, step }),
    step: (step, seconds) => steps.observe({ step }, seconds),
    callback: (outcome, seconds) => callbacks.observe({ outcome }, seconds),
    ...sandboxMetrics(register),
    rateLimitHit: (limit) => limitHits.inc({ limit }),
    render: clustered ?? (() => register.metrics()),
  };
}

let shared: Metrics | undefined;

/**
 * This process's metrics, created on first use: one registry per process (each cluster
 * worker has its own; a scrape of any worker answers for all of them), shared by every
 * server the process starts.
 */
export function processMetrics(): Metrics {
  shared ??= createMetrics({ cluster: true });
  return shared;
}

/** Metrics that record nothing (METRICS_ENABLED=false): the recording calls cost a no-op call. */
export function disabledMetrics(): Metrics {
  const none = (): void => undefined;
  return {
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    login: none, step: none, callback: none, sandboxRestarted: none, sandboxQueueChanged: none, rateLimitHit: none, storeError: none, storeStatement: none,
    render: async () => '',
  };
}
