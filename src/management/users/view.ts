import { ROOT_ATTRIBUTES } from '../../lib/profile.ts';
import type { IdentityRecord, UserRecord } from '../../store/types.ts';

export interface UserViewOptions {
  /** Given when the caller holds read:user_idp_tokens: an identity's upstream tokens, opened. */
  tokensOf?: (userId: string, identity: IdentityRecord) => Record<string, unknown>;
}

/** Fields this server owns; an upstream profile field of the same name never shows in their place. */
const OWNED = new Set<string>([...ROOT_ATTRIBUTES, 'user_id', 'identities', 'user_metadata', 'app_metadata', 'created_at',
  'updated_at', 'last_login', 'logins_count', 'blocked', 'last_ip']);

function toAuth0Identity(userId: string, i: IdentityRecord, o: UserViewOptions): Record<string, unknown> {
  return {
    provider: i.provider,
    connection: i.connection,
    user_id: i.user_id,
    isSocial: i.isSocial,
    ...(i.profileData ? { profileData: i.profileData } : {}),
    ...(o.tokensOf ? o.tokensOf(userId, i) : {}),
  };
}

/** A user's identities as Auth0 returns them (also the answer of linking and unlinking). */
export const toAuth0Identities = (u: UserRecord, o: UserViewOptions): Record<string, unknown>[] => u.identities.map((i) => toAuth0Identity(u.user_id, i, o));

/**
 * A user as Auth0 returns it: the upstream's extra profile fields at the root (where Auth0
 * shows social profile fields), root attributes, identities without sealed tokens.
 */
export function toAuth0User(u: UserRecord, o: UserViewOptions): Record<string, unknown> {
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(u.extra).filter(([k]) => !OWNED.has(k)));
  out['user_id'] = u.user_id;
  for (const key of ROOT_ATTRIBUTES) if (u[key] !== undefined) out[key] = u[key];
  out['identities'] = toAuth0Identities(u, o);
  out['user_metadata'] = u.user_metadata;
  out['app_metadata'] = u.app_metadata;
  out['created_at'] = u.created_at;
  out['updated_at'] = u.updated_at;
  if (u.last_login) out['last_login'] = u.last_login;
  out['logins_count'] = u.logins_count;
  if (u.blocked !== undefined) out['blocked'] = u.blocked;
  return out;
}
