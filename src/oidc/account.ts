import type { Account, AccountClaims } from 'oidc-provider';
import { ROOT_ATTRIBUTES } from '../lib/profile.ts';
import type { Store, UserRecord } from '../store/types.ts';

/** The claims a user may release, per scope (what Auth0 puts in id_tokens). */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'family_name', 'given_name', 'nickname', 'picture', 'updated_at'],
  email: ['email', 'email_verified'],
};

/** Every claim of a user; oidc-provider filters them by the granted scopes. */
export function userClaims(user: UserRecord): AccountClaims {
  const claims: AccountClaims = { sub: user.user_id, updated_at: user.updated_at };
  for (const key of ROOT_ATTRIBUTES) {
    if (user[key] !== undefined) claims[key] = user[key];
  }
  return claims;
}

/** oidc-provider's findAccount over the user store. */
export function createFindAccount(store: Store): (ctx: unknown, sub: string) => Promise<Account | undefined> {
  return async (_ctx, sub) => {
    const user = await store.users.get(sub);
    if (!user) return undefined;
    return { accountId: sub, claims: async () => userClaims(user) };
  };
}
