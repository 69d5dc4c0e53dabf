import { z } from 'zod';
import { ListQuerySchema } from '../paging.ts';

const scopeList = z.array(z.string().min(1).max(280).regex(/^[^\s]+$/, { message: 'a scope has no spaces' })).max(500);

/** Body of POST /api/v2/client-grants. */
export const ClientGrantCreateSchema = z.strictObject({
  client_id: z.string().min(1).max(128),
  audience: z.string().min(1).max(600),
  scope: scopeList,
});

/** Body of PATCH /api/v2/client-grants/:id: only the scopes change. */
export const ClientGrantUpdateSchema = z.strictObject({ scope: scopeList });

/** Query of GET /api/v2/client-grants: paging plus the two filters. */
export const ClientGrantListQuerySchema = ListQuerySchema.extend({ audience: z.string().max(600).optional(), client_id: z.string().max(128).optional() });

export type ClientGrantCreate = z.infer<typeof ClientGrantCreateSchema>;

/** A client grant as the API answers it. */
export const ClientGrantResponseSchema = z.strictObject({ id: z.string(), client_id: z.string(), audience: z.string(), scope: z.array(z.string()) });
