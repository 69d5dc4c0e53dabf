import { listOf } from '../openapi/responses.ts';
import { route, type ManagementRoute } from '../openapi/route.ts';
import { listOptions, listResponse } from '../paging.ts';
import type { ManagementContext } from '../resource.ts';
import { BlacklistAddSchema, BlacklistEntryResponseSchema, BlacklistListQuerySchema } from './schema.ts';

/** /api/v2/blacklists/tokens: Auth0's revocation of one access token by its jti. */
export function blacklistRoutes({ services: { blacklists } }: ManagementContext): ManagementRoute[] {
  return [
    route({
      method: 'post', path: '/blacklists/tokens', summary: 'Revoke one access token by its jti', scopes: ['blacklist:tokens'],
      body: BlacklistAddSchema, responses: { 201: { description: 'Revoked (no body)' } },
      handler: async ({ res, body }) => {
        await blacklists.add(body);
        res.status(201).end();
      },
    }),
    route({
      method: 'get', path: '/blacklists/tokens', summary: 'List revoked tokens', scopes: ['blacklist:tokens'], query: BlacklistListQuerySchema,
      responses: { 200: { description: 'Revoked tokens', schema: listOf('tokens', BlacklistEntryResponseSchema) } },
      handler: async ({ res, query: q }) => {
        const result = await blacklists.list(q.aud, listOptions(q));
        res.json(listResponse('tokens', q, result, (e) => `${e.aud}\n${e.jti}`));
      },
    }),
  ];
}
