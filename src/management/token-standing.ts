import { FifoCache } from '../lib/fifo-cache.ts';
import type { Store } from '../store/types.ts';

/** What the check knows of a verified Management API token. */
export interface TokenClaims {
  clientId: string;
  jti: string;
  scopes: Set<string>;
}

/** A token still in good standing keeps the scopes its grant still holds; otherwise why not. */
export type Standing = { ok: true; scopes: Set<string> } | { ok: false; message: string };

interface GrantState { at: number; scope: readonly string[] | null; reason: string }
interface RevokedState { at: number; revoked: boolean }

/**
 * Whether a Management API token still stands: its client exists, the client still has a
 * grant for the Management API (the token keeps only the scopes the grant still holds), and
 * its jti is not blacklisted. Everything is read from the store, so a change made by any
 * process or server takes effect here within `cacheSeconds` (0: on the next request).
 */
export function createTokenStanding(store: Store, audience: string, cacheSeconds: number) {
  const maxAge = cacheSeconds * 1000;
  const grants = new FifoCache<string, GrantState>(10_000);
  const revocations = new FifoCache<string, RevokedState>(50_000);
  const fresh = (at: number): boolean => Date.now() - at < maxAge;

  const grantOf = async (clientId: string): Promise<GrantState> => {
    const hit = grants.get(clientId);
    if (hit && fresh(hit.at)) return hit;
    const [client, grant] = await Promise.all([store.clients.get(clientId), store.clientGrants.find(clientId, audience)]);
    const at = Date.now();
    const state: GrantState = !client
      ? { at, scope: null, reason: 'its client no longer exists' }
      : !grant
        ? { at, scope: null, reason: 'its client no longer has a grant for the Management API' }
        : { at, scope: grant.scope, reason: '' };
    grants.set(clientId, state);
    return state;
  };

  const isRevoked = async (jti: string): Promise<boolean> => {
    const hit = revocations.get(jti);
    // A revocation is final: only "not revoked" answers are re-checked.
    if (hit && (hit.revoked || fresh(hit.at))) return hit.revoked;
    const revoked = await store.blacklists.has(audience, jti);
    revocations.set(jti, { at: Date.now(), revoked });
    return revoked;
  };

  return {
    /** The standing of one verified token. */
    async check(claims: TokenClaims): Promise<Standing> {
      const [grant, revoked] = await Promise.all([grantOf(claims.clientId), isRevoked(claims.jti)]);
      if (revoked) return { ok: false, message: 'Invalid token: it has been revoked (blacklisted)' };
      if (!grant.scope) return { ok: false, message: `Invalid token: ${grant.reason}` };
      const held = new Set(grant.scope);
      return { ok: true, scopes: new Set([...claims.scopes].filter((s) => held.has(s))) };
    },
  };
}

export type TokenStanding = ReturnType<typeof createTokenStanding>;
