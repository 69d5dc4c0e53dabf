import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { isAnswered, REQUEST, WAIT_MS, type Asked } from './cluster-protocol.ts';

/**
 * /metrics across cluster workers. Each worker keeps its own registry (recording stays a
 * local increment, off any IPC); a scrape lands on one worker, which asks the primary, and
 * the primary gathers every worker's registry with prom-client's AggregatorRegistry
 * (counters and histograms summed; default process metrics by their own aggregators).
 * Only a scrape pays for the messages.
 */

let nextId = 0;
const pending = new Map<number, { resolve(text: string): void; reject(err: Error): void }>();

/**
 * In a cluster worker: makes `register` the registry the primary gathers, and returns the
 * render of a scrape (the whole cluster's text). Elsewhere (one process) it returns undefined.
 */
export function clusterRender(register: Registry): (() => Promise<string>) | undefined {
  if (!cluster.isWorker || !process.send) return undefined;
  new AggregatorRegistry(); // its constructor adds the worker's answer to the primary's gathering
  AggregatorRegistry.setRegistries([register]);
  process.on('message', (message: unknown) => {
    if (!isAnswered(message)) return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.text !== undefined) waiting?.resolve(message.text);
    else waiting?.reject(new Error(`metrics_unavailable: the cluster primary could not gather the workers' metrics (${message.error}); scrape again`));
  });
  return () => new Promise<string>((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`metrics_unavailable: the cluster primary did not answer within ${WAIT_MS} ms; scrape again`));
    }, WAIT_MS);
    pending.set(id, {
      resolve: (text) => { clearTimeout(timer); resolve(text); },
      reject: (err) => { clearTimeout(timer); reject(err); },
    });
    process.send?.({ type: REQUEST, id } satisfies Asked);
  });
}
