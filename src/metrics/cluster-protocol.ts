/** The messages of a /metrics scrape between a cluster worker and the primary (cluster.ts, cluster-primary.ts). */

export const REQUEST = 'brokerid:metrics-req';
export const ANSWER = 'brokerid:metrics-res';
/** Above prom-client's own 5 s wait for the workers, so its error arrives first. */
export const WAIT_MS = 6_000;

export interface Asked { type: typeof REQUEST; id: number }
export interface Answered { type: typeof ANSWER; id: number; text?: string; error?: string }

export const isAsked = (m: unknown): m is Asked => (m as Asked | null)?.type === REQUEST;
export const isAnswered = (m: unknown): m is Answered => (m as Answered | null)?.type === ANSWER;
