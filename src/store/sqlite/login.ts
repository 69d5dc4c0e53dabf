import { ROOT_ATTRIBUTES } from '../../lib/profile.ts';
import type { IdentityRecord, LoginUpsert, UserRecord, UserRootAttributes } from '../types.ts';

/** The user a first login creates. */
export function userFromFirstLogin(input: LoginUpsert): UserRecord {
  return withRoot(
    {
      user_id: input.user_id,
      identities: [input.identity],
      extra: input.extra,
      user_metadata: {},
      app_metadata: {},
      created_at: input.now,
      updated_at: input.now,
      last_login: input.now,
      logins_count: 1,
    },
    input.root,
  );
}

/** The user after one more login: counters, the identity of this connection, maybe root + extra. */
export function userAfterLogin(user: UserRecord, input: LoginUpsert): UserRecord {
  const next: UserRecord = {
    ...user,
    identities: replaceIdentity(user.identities, input.identity),
    updated_at: input.now,
    last_login: input.now,
    logins_count: user.logins_count + 1,
  };
  // A login through a linked identity refreshes that identity only: the profile is the main identity's (as in Auth0).
  if (input.setRootAttributes === 'on_first_login' || user.user_id !== input.user_id) return next;
  // Refreshed means "what the upstream says now": an attribute it no longer sends is dropped.
  return withRoot({ ...next, extra: input.extra }, input.root);
}

/** The identity of the same connection is replaced in place; a new connection is appended. */
export function replaceIdentity(identities: IdentityRecord[], identity: IdentityRecord): IdentityRecord[] {
  const index = identities.findIndex((i) => i.connection === identity.connection);
  if (index < 0) return [...identities, identity];
  return identities.map((existing, i) => (i === index ? identity : existing));
}

/** `user` with its root attributes set to exactly the defined ones of `root`. */
function withRoot(user: UserRecord, root: UserRootAttributes): UserRecord {
  const out: UserRecord = { ...user };
  for (const key of ROOT_ATTRIBUTES) delete out[key];
  for (const key of ROOT_ATTRIBUTES) {
    if (root[key] !== undefined) Object.assign(out, { [key]: root[key] });
  }
  return out;
}
