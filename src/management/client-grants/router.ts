import type { ClientGrantRecord } from '../../store/types.ts';
import { listOf } from '../openapi/responses.ts';
import { route, type ManagementRoute } from '../openapi/route.ts';
import { listOptions, listResponse } from '../paging.ts';
import type { ManagementContext } from '../resource.ts';
import { param } from '../validation.ts';
import { ClientGrantCreateSchema, ClientGrantListQuerySchema, ClientGrantResponseSchema, ClientGrantUpdateSchema } from './schema.ts';

const toAuth0 = ({ updated_at: _u, created_at: _c, ...g }: ClientGrantRecord) => g;
const grant = { description: 'The client grant', schema: ClientGrantResponseSchema };

/** /api/v2/client-grants: which client may get which scopes for which audience. */
export function clientGrantRoutes({ services: { clientGrants } }: ManagementContext): ManagementRoute[] {
  return [
    route({
      method: 'post', path: '/client-grants', summary: 'Grant a client scopes at an audience', scopes: ['create:client_grants'],
      body: ClientGrantCreateSchema, responses: { 201: grant },
      handler: async ({ res, body }) => {
        res.status(201).json(toAuth0(await clientGrants.create(body)));
      },
    }),
    route({
      method: 'get', path: '/client-grants', summary: 'List client grants', scopes: ['read:client_grants'], query: ClientGrantListQuerySchema,
      responses: { 200: { description: 'A page of client grants', schema: listOf('client_grants', ClientGrantResponseSchema) } },
      handler: async ({ res, query: q }) => {
        const filter = { ...(q.audience ? { audience: q.audience } : {}), ...(q.client_id ? { client_id: q.client_id } : {}) };
        const result = await clientGrants.list(filter, listOptions(q));
        res.json(listResponse('client_grants', q, { ...result, items: result.items.map(toAuth0) }, (g) => g.id));
      },
    }),
    route({
      method: 'patch', path: '/client-grants/:id', summary: 'Change a client grant\'s scopes', scopes: ['update:client_grants'],
      body: ClientGrantUpdateSchema, responses: { 200: grant },
      handler: async ({ req, res, body }) => {
        res.json(toAuth0(await clientGrants.update(param(req, 'id'), body.scope)));
      },
    }),
    route({
      method: 'delete', path: '/client-grants/:id', summary: 'Delete a client grant', scopes: ['delete:client_grants'],
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ req, res }) => {
        await clientGrants.delete(param(req, 'id'));
        res.status(204).end();
      },
    }),
  ];
}
