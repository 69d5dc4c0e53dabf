import { isRootAttribute } from '../lib/profile.ts';
import { identityKey, type IdentityRecord, type UserChange, type UserRecord } from './types.ts';

/**
 * The record-level meaning of a user change, a link and an unlink, written once for every
 * backend: sqlite applies them inside its transaction, mongodb writes their result under a
 * condition on what it read.
 */

/** First-level merge: a key set to null is removed, any other value replaces the stored one whole. */
export function mergeMetadata(stored: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

/** The user after a Management API change. */
export function applyChange(user: UserRecord, change: UserChange): UserRecord {
  const next: UserRecord = { ...user, ...change.root, updated_at: change.now };
  if (change.user_metadata) next.user_metadata = mergeMetadata(user.user_metadata, change.user_metadata);
  if (change.app_metadata) next.app_metadata = mergeMetadata(user.app_metadata, change.app_metadata);
  if (change.blocked !== undefined) next.blocked = change.blocked;
  return next;
}

/** The primary with the secondary's identities after its own; null when a connection would appear twice. */
export function linkedUser(primary: UserRecord, secondary: UserRecord, now: string): UserRecord | null {
  const taken = new Set(primary.identities.map((i) => i.connection));
  if (secondary.identities.some((i) => taken.has(i.connection))) return null;
  return { ...primary, identities: [...primary.identities, ...secondary.identities], updated_at: now };
}

/** The identity with this key of a user, and whether it is the user's main one. */
export function findIdentity(user: UserRecord, key: string): { identity: IdentityRecord; main: boolean } | null {
  const identity = user.identities.find((i) => identityKey(i) === key);
  return identity ? { identity, main: user.user_id === key } : null;
}

/** A user of its own for an unlinked identity: Auth0 builds it from the identity's profile data. */
export function userFromIdentity(identity: IdentityRecord, now: string): UserRecord {
  const user: UserRecord = {
    user_id: identityKey(identity), identities: [identity], extra: {}, user_metadata: {}, app_metadata: {},
    created_at: now, updated_at: now, logins_count: 0,
  };
  for (const [key, value] of Object.entries(identity.profileData ?? {})) {
    if (isRootAttribute(key)) Object.assign(user, { [key]: value });
    else user.extra[key] = value;
  }
  return user;
}

/** The keys of a user's identities, in order (what the identity index holds for it). */
export const identityKeys = (user: Pick<UserRecord, 'identities'>): string[] => user.identities.map(identityKey);
