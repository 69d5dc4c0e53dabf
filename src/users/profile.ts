import { identityKey, type LoginUpsert, type UserRootAttributes } from '../store/types.ts';
import { isRootAttribute, ProfileSchema, type Profile } from '../lib/profile.ts';
import { describeIssues } from '../lib/zod-issues.ts';
import { jsonBoundsProblem, PROFILE_BOUNDS } from '../lib/json-bounds.ts';

const MAX_EXTRA_BYTES = 64 * 1024;

/** The schema checkProfile applies; defined once in lib/profile.ts, re-exported for the callers of checkProfile. */
export { ProfileSchema };

export type ProfileCheck = { ok: true; value: Profile } | { ok: false; message: string };

/** Validates a script's profile; the message says which field is wrong. */
export function checkProfile(profile: Record<string, unknown>): ProfileCheck {
  // Extra fields are stored in the user record: bounded before any of it is looked at.
  const bounds = jsonBoundsProblem(profile, PROFILE_BOUNDS);
  if (bounds) return { ok: false, message: `the profile is invalid: it is ${bounds}` };
  const result = ProfileSchema.safeParse(profile);
  if (!result.success) return { ok: false, message: `the profile is invalid: ${describeIssues(result.error)}` };
  return { ok: true, value: result.data };
}

/** A custom social identity's user_id in Auth0's shape: `<connection>|<upstream id>`. */
export const socialIdentityId = (connection: string, upstreamId: string): string => `${connection}|${upstreamId}`;

/** The social user id: `<provider>|<connection>|<upstream id>` (the identityKey of its main identity). */
export const socialUserId = (connection: string, upstreamId: string): string => identityKey({ provider: 'oauth2', user_id: socialIdentityId(connection, upstreamId) });

export interface LoginInput {
  connection: string;
  profile: Profile;
  tokens: { access_token_enc?: string; refresh_token_enc?: string; expires_at?: string };
  /** URL template values of this login (kept for token refresh). */
  vars?: Record<string, string>;
  setRootAttributes: 'on_each_login' | 'on_first_login';
}

/** Builds the one atomic write of a login from a validated profile. */
export function loginUpsert(input: LoginInput): LoginUpsert | { error: string } {
  const { profile } = input;
  const root: UserRootAttributes = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(profile)) {
    if (key === 'user_id' || value === undefined) continue;
    if (isRootAttribute(key)) (root as Record<string, unknown>)[key] = value;
    // Keys MongoDB cannot store as field names are dropped rather than failing the login.
    else if (!key.startsWith('$') && !key.includes('.')) extra[key] = value;
  }
  if (Buffer.byteLength(JSON.stringify(extra)) > MAX_EXTRA_BYTES) {
    return { error: `the profile is too large: fields beyond the standard ones exceed ${MAX_EXTRA_BYTES / 1024} KB` };
  }
  return {
    user_id: socialUserId(input.connection, profile.user_id),
    identity: {
      provider: 'oauth2', connection: input.connection, user_id: socialIdentityId(input.connection, profile.user_id), isSocial: true,
      profileData: { ...root, ...extra }, ...input.tokens,
      ...(input.vars && Object.keys(input.vars).length ? { connection_vars: input.vars } : {}),
    },
    root,
    extra,
    setRootAttributes: input.setRootAttributes,
    now: new Date().toISOString(),
  };
}
