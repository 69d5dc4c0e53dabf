import { z } from 'zod';

/**
 * What a user profile is: the object a fetchUserProfile script returns, a `user_id` plus any
 * of the root attributes a login copies onto the user. It is declared here, below both of its
 * users, because the sandbox checks a script's result against it and users/ turns it into a
 * user record; neither of them owns the other.
 */

/** The upstream's id of the user: a non-empty string (at most 255 characters) or a finite number. */
export const UserIdSchema = z.union([z.string().trim().min(1).max(255), z.number().finite()], { message: 'is required (a string or a number)' });

/** The root attributes a login may set on a user, with their limits. The one list of them. */
export const RootAttributesSchema = z.object({
  email: z.string().max(512).optional(),
  email_verified: z.boolean().optional(),
  name: z.string().max(512).optional(),
  given_name: z.string().max(256).optional(),
  family_name: z.string().max(256).optional(),
  nickname: z.string().max(256).optional(),
  picture: z.string().max(2048).optional(),
});

/** Root attributes that a login may set on a user. */
export type UserRootAttributes = z.infer<typeof RootAttributesSchema>;
export type RootAttribute = keyof UserRootAttributes;

/** The names of the root attributes, in the order they are written. */
export const ROOT_ATTRIBUTES: readonly RootAttribute[] = RootAttributesSchema.keyof().options;

/** A profile: `user_id` (as a string) plus any recognized root attributes; other fields are kept as they are. */
export const ProfileSchema = z.looseObject({
  user_id: UserIdSchema.transform((v) => String(v)),
  ...RootAttributesSchema.shape,
});
export type Profile = z.infer<typeof ProfileSchema>;

/** Whether `key` names a root attribute. */
export const isRootAttribute = (key: string): key is RootAttribute => (ROOT_ATTRIBUTES as readonly string[]).includes(key);
