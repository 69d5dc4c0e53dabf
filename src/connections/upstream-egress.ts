import type { Config } from '../config/load.ts';
import type { EgressPolicy } from '../lib/egress.ts';

/** The egress policy of token requests (login and refresh alike). */
export const upstreamEgress = (config: Config): EgressPolicy => ({
  allowInsecure: config.ALLOW_INSECURE_UPSTREAMS, timeoutMs: config.UPSTREAM_TIMEOUT_MS, maxBytes: config.UPSTREAM_MAX_BYTES,
});
