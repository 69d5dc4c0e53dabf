import type { Config } from '../config/load.ts';
import type { EgressPolicy } from '../lib/egress.ts';
import type { UrlPolicy } from './options.ts';
import { CALLBACK_PATH } from './state-store.ts';

/** The shared callback address every connection uses unless it has its own (`unique_callback`). */
export const sharedCallbackUrl = (issuer: string): string => `${issuer}${CALLBACK_PATH.slice(1)}`;

/** The egress policy of token requests (login and refresh alike). */
export const upstreamEgress = (config: Config): EgressPolicy => ({
  ...upstreamUrlPolicy(config), timeoutMs: config.UPSTREAM_TIMEOUT_MS, maxBytes: config.UPSTREAM_MAX_BYTES,
});

/** Which upstream URLs connection options may name (ALLOW_INSECURE_UPSTREAMS, EGRESS_ALLOW). */
export const upstreamUrlPolicy = (config: Config): UrlPolicy => ({ allowInsecure: config.ALLOW_INSECURE_UPSTREAMS, allow: config.egressAllow });
