import cluster from 'node:cluster';
import { BatchedRequests } from './batched-requests.ts';
import { LimitsHub, type Peer } from './cluster-hub.ts';
import { isLimitsMessage, type ToPrimary, type ToWorker } from './cluster-protocol.ts';
import { FailureMirror } from './failure-mirror.ts';
import { PrimaryLink, type Port } from './primary-link.ts';
import { REQUEST_SLACK, type CounterFactory } from './types.ts';

/** In the cluster primary, before it forks: holds every worker's counts (see types.ts). */
export function startClusterCounters(): void {
  const hub = new LimitsHub();
  const peers = new Map<number, Peer>();
  cluster.on('message', (worker, msg: unknown) => {
    if (!isLimitsMessage<ToPrimary>(msg)) return;
    let peer = peers.get(worker.id);
    if (!peer) {
      peers.set(worker.id, (peer = {
        id: worker.id,
        send: (reply) => {
          // A worker gone meanwhile: its requests died with it.
          if (worker.isConnected()) worker.send(reply);
        },
      }));
    }
    hub.receive(peer, msg);
  });
  cluster.on('exit', (worker) => {
    peers.delete(worker.id);
    hub.leave(worker.id);
  });
}

/** This worker's end of the channel: process.send and process 'message' (only limits messages). */
const processPort: Port = {
  // With a callback, a closed channel is an error passed here (the request then times out: fail open), not a crash.
  send: (msg) => void process.send?.(msg, undefined, {}, () => {}),
  onMessage: (handler) => process.on('message', (msg: unknown) => {
    if (isLimitsMessage<ToWorker>(msg)) handler(msg);
  }),
};

/** How many requests per key one of `workers` workers may admit before the primary has counted them. */
export const requestAllowance = (points: number, workers: number): number => Math.floor((points * REQUEST_SLACK) / workers);

/** In a cluster worker: request limits batched, failure limits mirrored, over one channel to the primary. */
export function workerCounters(workers: number, port: Port = processPort): CounterFactory {
  const link = new PrimaryLink(port);
  const requests = new BatchedRequests(link);
  let failures: FailureMirror | undefined;
  return (kind, rule) => {
    const name = `brokerid:${kind}`;
    if (rule.failures) return (failures ??= new FailureMirror(link)).counter(name, rule);
    return requests.counter(name, rule, requestAllowance(rule.points, workers));
  };
}
