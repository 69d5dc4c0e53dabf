import type { BlacklistEntry, ListOptions, ListResult, Store } from '../../store/types.ts';
import type { BlacklistAdd } from './schema.ts';

/**
 * Revoked tokens. Our JWTs are not stored, so their expiry is unknown here: an entry is kept
 * for the longest lifetime a token issued under the current settings can have (a token
 * issued earlier expires sooner, unless its TTL setting was lowered since).
 */
export function createBlacklistService(store: Store, managementAudience: string, longestTokenLifetimeSeconds: number) {
  return {
    /** Revokes one token; the Management API refuses it from then on (within the token check's cache bound). */
    async add(input: BlacklistAdd): Promise<BlacklistEntry> {
      const entry = { aud: input.aud ?? managementAudience, jti: input.jti };
      await store.blacklists.add(entry, Date.now() + longestTokenLifetimeSeconds * 1000);
      return entry;
    },
    /** One page of revoked tokens, optionally of one audience. */
    list: (aud: string | undefined, options: ListOptions): Promise<ListResult<BlacklistEntry>> =>
      store.blacklists.list(aud === undefined ? {} : { aud }, options),
  };
}

export type BlacklistService = ReturnType<typeof createBlacklistService>;
