export type { LimitMetrics, LoginMetrics, LoginOutcome, Metrics, SandboxMetrics, StoreMetrics, StoreObserver } from './types.ts';
export { UNKNOWN_CONNECTION } from './types.ts';
export { createMetrics, disabledMetrics, processMetrics } from './registry.ts';
export { startClusterMetrics } from './cluster-primary.ts';
export { isLoopback, metricsRoute } from './route.ts';
