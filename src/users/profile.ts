import { z } from 'zod';
import type { LoginUpsert, UserRootAttributes } from '../store/types.ts';
import { describeIssues } from '../lib/zod-issues.ts';

/** What a fetchUserProfile script must return: `user_id` plus any recognized root attributes. */
export const ProfileSchema = z.looseObject({
  user_id: z.union([z.string().trim().min(1).max(255), z.number().finite()], { message: 'is required (a string or a number)' })
    .transform((v) => String(v)),
  email: z.string().max(512).optional(),
  email_verified: z.boolean().optional(),
  name: z.string().max(512).optional(),
  given_name: z.string().max(256).optional(),
  family_name: z.string().max(256).optional(),
  nickname: z.string().max(256).optional(),
  picture: z.string().max(2048).optional(),
});

const ROOT = ['email', 'email_verified', 'name', 'given_name', 'family_name', 'nickname', 'picture'] as const;
const MAX_EXTRA_BYTES = 64 * 1024;

export type ProfileCheck = { ok: true; value: z.infer<typeof ProfileSchema> } | { ok: false; message: string };

/** Validates a script's profile; the message says which field is wrong. */
export function checkProfile(profile: Record<string, unknown>): ProfileCheck {
  const result = ProfileSchema.safeParse(profile);
  if (!result.success) return { ok: false, message: `the profile is invalid: ${describeIssues(result.error)}` };
  return { ok: true, value: result.data };
}

/** The social user id: `<provider>|<connection>|<upstream id>`. */
export const socialUserId = (connection: string, upstreamId: string): string => `oauth2|${connection}|${upstreamId}`;

export interface LoginInput {
  connection: string;
  profile: z.infer<typeof ProfileSchema>;
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
    if ((ROOT as readonly string[]).includes(key)) (root as Record<string, unknown>)[key] = value;
    // Keys MongoDB cannot store as field names are dropped rather than failing the login.
    else if (!key.startsWith('$') && !key.includes('.')) extra[key] = value;
  }
  if (Buffer.byteLength(JSON.stringify(extra)) > MAX_EXTRA_BYTES) {
    return { error: `the profile is too large: fields beyond the standard ones exceed ${MAX_EXTRA_BYTES / 1024} KB` };
  }
  return {
    user_id: socialUserId(input.connection, profile.user_id),
    identity: {
      provider: 'oauth2', connection: input.connection, user_id: profile.user_id, isSocial: true,
      profileData: { ...root, ...extra }, ...input.tokens,
      ...(input.vars && Object.keys(input.vars).length ? { connection_vars: input.vars } : {}),
    },
    root,
    extra,
    setRootAttributes: input.setRootAttributes,
    now: new Date().toISOString(),
  };
}
