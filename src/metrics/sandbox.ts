import { Counter, Gauge, type Registry } from 'prom-client';
import type { SandboxMetrics } from './types.ts';

/**
 * The script sandbox's metrics: processes replaced (by reason) and the runs and checks it
 * holds right now. Both are per server process; Prometheus sums them over the workers.
 */
export function sandboxMetrics(register: Registry): SandboxMetrics {
  const restarts = new Counter({
    name: 'brokerid_sandbox_restarts_total', help: 'Script sandbox processes replaced, by reason.', labelNames: ['reason'] as const, registers: [register],
  });
  const depth = new Gauge({
    name: 'brokerid_sandbox_queue_depth',
    help: 'Profile-script runs and checks handed to this server process\'s sandbox processes and not answered yet (waiting or running).',
    registers: [register],
  });
  return {
    sandboxRestarted: (reason) => restarts.inc({ reason }),
    sandboxQueueChanged: (delta) => depth.inc(delta),
  };
}
