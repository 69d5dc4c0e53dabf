import { z } from 'zod';
import { RootAttributesSchema } from '../../lib/profile.ts';
import { isRecord } from '../../lib/is-record.ts';
import { jsonBoundsProblem, type JsonBounds } from '../../lib/json-bounds.ts';

/** Each of user_metadata and app_metadata, as stored after a merge: at most this many bytes of JSON. */
export const MAX_METADATA_BYTES = 64 * 1024;
/** Nesting depth of metadata values (an object inside an object counts one level). */
export const MAX_METADATA_DEPTH = 10;
const METADATA_BOUNDS: JsonBounds = { maxDepth: MAX_METADATA_DEPTH, maxBytes: MAX_METADATA_BYTES };

/**
 * Field names both stores keep as they are: no '.', no leading '$' (MongoDB reads those as
 * paths and operators), and not `__proto__` (a merge would set a prototype instead of a key).
 */
const FIELD_NAME = /^(?!\$)(?!__proto__$)[^.\0]{1,255}$/;

/** The first key (dotted path) that breaks the naming rule or the depth, or undefined. */
function badKey(value: unknown, path: string[], depth: number): string | undefined {
  const at = path.length ? `${path.join('.')}: ` : '';
  if (depth > MAX_METADATA_DEPTH) return `${at}nested deeper than ${MAX_METADATA_DEPTH} levels`;
  const children = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : isRecord(value) ? Object.entries(value) : [];
  for (const [key, child] of children) {
    if (!Array.isArray(value) && !FIELD_NAME.test(key)) return `${at}field name ${JSON.stringify(key.slice(0, 60))} must be 1-255 characters without "." or a leading "$"`;
    const problem = badKey(child, [...path, key], depth + (isRecord(child) || Array.isArray(child) ? 1 : 0));
    if (problem) return problem;
  }
  return undefined;
}

/**
 * user_metadata / app_metadata in a PATCH: an object whose keys are merged; a null value
 * removes its key. Checked on the body as sent (a record schema would drop a `__proto__` key silently).
 */
const MetadataPatchSchema = z.unknown().superRefine((value, ctx) => {
  if (!isRecord(value)) return void ctx.addIssue({ code: 'custom', message: 'must be an object' });
  // The stack-safe walk first: JSON.stringify (and badKey's recursion) must never meet a value nested thousands deep.
  const bounds = jsonBoundsProblem(value, METADATA_BOUNDS);
  if (bounds) return void ctx.addIssue({ code: 'custom', message: bounds });
  const problem = badKey(value, [], 1);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}).transform((value) => value as Record<string, unknown>);

/** Body of PATCH /api/v2/users/:id: what Auth0 lets you change on a social user. */
export const UserPatchSchema = z.strictObject({
  user_metadata: MetadataPatchSchema.optional(),
  app_metadata: MetadataPatchSchema.optional(),
  blocked: z.boolean().optional(),
  ...RootAttributesSchema.shape,
});

export type UserPatch = z.infer<typeof UserPatchSchema>;

/** Body of POST /api/v2/users/:id/identities (Auth0's; link_with, the user-token form, is refused with a reason). */
export const LinkSchema = z.strictObject({
  provider: z.string({ message: 'required (the secondary account\'s provider, e.g. "oauth2")' }).min(1).max(100),
  user_id: z.union([z.string().min(1).max(600), z.number().finite()], { message: 'required (the secondary user_id, e.g. "oauth2|acme|123", or its identity\'s "acme|123")' })
    .transform((v) => String(v)),
  connection_id: z.string().min(1).max(100).optional(),
  link_with: z.undefined({ message: 'linking with the secondary account\'s token is not supported here: send provider and user_id with an update:users token' }).optional(),
});

export type LinkRequest = z.infer<typeof LinkSchema>;

/** One identity as the API answers it: upstream tokens only for read:user_idp_tokens, sealed ones never. */
export const IdentityResponseSchema = z.strictObject({
  provider: z.string(),
  connection: z.string(),
  user_id: z.string(),
  isSocial: z.boolean(),
  profileData: z.record(z.string(), z.unknown()).optional(),
  access_token: z.string().optional(),
  refresh_token: z.string().optional(),
  expires_in: z.number().int().min(0).optional(),
});

/** A user as the API answers it; the upstream's extra profile fields sit at the root too. */
export const UserResponseSchema = z.looseObject({
  user_id: z.string(),
  ...RootAttributesSchema.shape,
  identities: z.array(IdentityResponseSchema),
  user_metadata: z.record(z.string(), z.unknown()),
  app_metadata: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
  last_login: z.string().optional(),
  logins_count: z.number().int().min(0),
  blocked: z.boolean().optional(),
});

/** The answer of POST /users/:id/identities/:connection/refresh (this server's addition). */
export const RefreshResponseSchema = z.strictObject({
  access_token: z.string(),
  expires_in: z.number().optional(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
  refresh_token_rotated: z.boolean(),
});
