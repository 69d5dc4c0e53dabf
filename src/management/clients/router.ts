import type { ClientRecord } from '../../store/types.ts';
import { listOf } from '../openapi/responses.ts';
import { route, type ManagementRoute } from '../openapi/route.ts';
import { ListQuerySchema, listOptions, listResponse, selectFields } from '../paging.ts';
import type { ManagementContext } from '../resource.ts';
import { param } from '../validation.ts';
import { ClientCreateSchema, ClientResponseSchema, ClientUpdateSchema } from './schema.ts';

/** A client as Auth0 returns it; the secret only when just created or rotated. */
export function toAuth0Client(c: ClientRecord, secret?: string): Record<string, unknown> {
  const { client_secret_enc: _sealed, version: _v, ...fields } = c;
  return {
    ...fields,
    ...(secret ? { client_secret: secret } : {}),
    global: false,
    oidc_conformant: true,
    jwt_configuration: { alg: 'RS256' },
  };
}

const FieldsSchema = ListQuerySchema.pick({ fields: true, include_fields: true });
const client = { description: 'The client', schema: ClientResponseSchema };

/** /api/v2/clients */
export function clientRoutes({ services: { clients } }: ManagementContext): ManagementRoute[] {
  return [
    route({
      method: 'post', path: '/clients', summary: 'Create a client (the answer carries its secret, once)', scopes: ['create:clients'],
      body: ClientCreateSchema, responses: { 201: client },
      handler: async ({ res, body }) => {
        const { client: created, secret } = await clients.create(body);
        res.status(201).json(toAuth0Client(created, secret));
      },
    }),
    route({
      method: 'get', path: '/clients', summary: 'List clients', scopes: ['read:clients'],
      query: ListQuerySchema, responses: { 200: { description: 'A page of clients', schema: listOf('clients', ClientResponseSchema) } },
      handler: async ({ res, query: q }) => {
        const result = await clients.list(listOptions(q));
        res.json(listResponse('clients', q, { ...result, items: result.items.map((c) => toAuth0Client(c)) }, (c) => String(c['client_id'])));
      },
    }),
    route({
      method: 'get', path: '/clients/:id', summary: 'Get a client', scopes: ['read:clients'], query: FieldsSchema, responses: { 200: client },
      handler: async ({ req, res, query: q }) => {
        res.json(selectFields(toAuth0Client(await clients.get(param(req, 'id'))), q));
      },
    }),
    route({
      method: 'patch', path: '/clients/:id', summary: 'Update a client', scopes: ['update:clients'], body: ClientUpdateSchema, responses: { 200: client },
      handler: async ({ req, res, body }) => {
        const updated = await clients.update(param(req, 'id'), body);
        res.json(toAuth0Client(updated.client, updated.secret));
      },
    }),
    route({
      method: 'delete', path: '/clients/:id', summary: 'Delete a client', scopes: ['delete:clients'], responses: { 204: { description: 'Deleted' } },
      handler: async ({ req, res }) => {
        await clients.delete(param(req, 'id'));
        res.status(204).end();
      },
    }),
    route({
      method: 'post', path: '/clients/:id/rotate-secret', summary: 'Rotate a client\'s secret (the answer carries the new one, once)',
      scopes: ['update:client_keys'], responses: { 200: client },
      handler: async ({ req, res }) => {
        const rotated = await clients.rotateSecret(param(req, 'id'));
        res.json(toAuth0Client(rotated.client, rotated.secret));
      },
    }),
  ];
}
