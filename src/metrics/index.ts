export type { LimitMetrics, LoginMetrics, LoginOutcome, Metrics, SandboxMetrics, StoreMetrics } from './types.ts';
export { UNKNOWN_CONNECTION } from './types.ts';
export { createMetrics, processMetrics } from './registry.ts';
export { isLoopback, metricsRoute } from './route.ts';
