import type { Config } from '../config/load.ts';
import type { EgressPolicy } from '../lib/egress.ts';
import type { UrlPolicy } from './options.ts';

/** The egress policy of token requests (login and refresh alike). */
export const upstreamEgress = (config: Config): EgressPolicy => ({
  ...upstreamUrlPolicy(config), timeoutMs: config.UPSTREAM_TIMEOUT_MS, maxBytes: config.UPSTREAM_MAX_BYTES,
});

/** Which upstream URLs connection options may name (ALLOW_INSECURE_UPSTREAMS, EGRESS_ALLOW). */
export const upstreamUrlPolicy = (config: Config): UrlPolicy => ({ allowInsecure: config.ALLOW_INSECURE_UPSTREAMS, allow: config.egressAllow });
