import { z } from 'zod';
import { ListQuerySchema } from '../paging.ts';

/** Body of POST /api/v2/blacklists/tokens (Auth0): the token's jti, and its audience (default: the Management API). */
export const BlacklistAddSchema = z.strictObject({
  aud: z.string().min(1).max(600).optional(),
  jti: z.string().min(1).max(256),
});

/** Query of GET /api/v2/blacklists/tokens: paging plus Auth0's `aud` filter. */
export const BlacklistListQuerySchema = ListQuerySchema.extend({ aud: z.string().min(1).max(600).optional() });

export type BlacklistAdd = z.infer<typeof BlacklistAddSchema>;

/** One revoked token as GET /api/v2/blacklists/tokens lists it. */
export const BlacklistEntryResponseSchema = z.strictObject({ aud: z.string(), jti: z.string() });
