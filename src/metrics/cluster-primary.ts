import cluster from 'node:cluster';
import type { AggregatorRegistry, PrometheusContentType } from 'prom-client';
import { ANSWER, isAsked, type Answered } from './cluster-protocol.ts';

/**
 * In the cluster primary: answers each worker's scrape with every worker's metrics.
 * prom-client is loaded at the first scrape, not at start: the primary stays a small process
 * that loads nothing it does not run (test/e2e/process-layout.test.ts).
 */
export function startClusterMetrics(): void {
  let aggregator: Promise<AggregatorRegistry<PrometheusContentType>> | undefined;
  const gather = async (): Promise<string> => {
    aggregator ??= import('prom-client').then(({ AggregatorRegistry: Aggregator }) => new Aggregator());
    return (await aggregator).clusterMetrics();
  };
  cluster.on('message', (worker, message: unknown) => {
    if (!isAsked(message)) return;
    gather().then(
      (text) => worker.send({ type: ANSWER, id: message.id, text } satisfies Answered),
      (err: unknown) => worker.send({ type: ANSWER, id: message.id, error: err instanceof Error ? err.message : String(err) } satisfies Answered),
    );
  });
}
