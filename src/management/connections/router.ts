import { listOf } from '../openapi/responses.ts';
import { route, type ManagementRoute } from '../openapi/route.ts';
import { ListQuerySchema, listOptions, listResponse, selectFields } from '../paging.ts';
import type { ManagementContext } from '../resource.ts';
import { param } from '../validation.ts';
import { checkImmutable, checkStrategy, takeSecretRemoval } from './body.ts';
import {
  ClientStatusSchema, ConnectionListQuerySchema, ConnectionResponseSchema, EnabledClientsPageSchema, EnabledClientsQuerySchema, connectionSchemas,
} from './schema.ts';
import { enabledClientsPage, toAuth0Connection } from './view.ts';

const connection = { description: 'The connection', schema: ConnectionResponseSchema };
const none = { 204: { description: 'Done' } };

/** /api/v2/connections: custom social (oauth2) connections and the clients they serve. */
export function connectionRoutes({ services: { connections }, urlPolicy }: ManagementContext): ManagementRoute[] {
  const schemas = connectionSchemas(urlPolicy);
  return [
    route({
      method: 'post', path: '/connections', summary: 'Create a custom social (oauth2) connection', scopes: ['create:connections'],
      body: schemas.create, responses: { 201: connection },
      prepareBody: (raw) => {
        checkStrategy(raw);
        return takeSecretRemoval(raw).body;
      },
      handler: async ({ res, body }) => {
        res.status(201).json(toAuth0Connection(await connections.create(body)));
      },
    }),
    route({
      method: 'get', path: '/connections', summary: 'List connections', scopes: ['read:connections'], query: ConnectionListQuerySchema,
      responses: { 200: { description: 'A page of connections', schema: listOf('connections', ConnectionResponseSchema) } },
      handler: async ({ res, query: q }) => {
        const filter = { ...(q.strategy ? { strategy: q.strategy } : {}), ...(q.name !== undefined ? { name: q.name } : {}) };
        const result = await connections.list(filter, listOptions(q));
        res.json(listResponse('connections', q, { ...result, items: result.items.map(toAuth0Connection) }, (c) => String(c['id'])));
      },
    }),
    route({
      method: 'get', path: '/connections/:id', summary: 'Get a connection', scopes: ['read:connections'],
      query: ListQuerySchema.pick({ fields: true, include_fields: true }), responses: { 200: connection },
      handler: async ({ req, res, query: q }) => {
        res.json(selectFields(toAuth0Connection(await connections.get(param(req, 'id'))), q));
      },
    }),
    route({
      method: 'patch', path: '/connections/:id', summary: 'Update a connection (options.client_secret: null removes the secret)',
      scopes: ['update:connections'], body: schemas.update, responses: { 200: connection },
      prepareBody: (raw) => {
        checkImmutable(raw);
        return takeSecretRemoval(raw).body;
      },
      handler: async ({ req, res, body }) => {
        const { removeSecret } = takeSecretRemoval(req.body);
        res.json(toAuth0Connection(await connections.update(param(req, 'id'), body, removeSecret)));
      },
    }),
    route({
      method: 'delete', path: '/connections/:id', summary: 'Delete a connection', scopes: ['delete:connections'], responses: none,
      handler: async ({ req, res }) => {
        await connections.delete(param(req, 'id'));
        res.status(204).end();
      },
    }),
    route({
      method: 'get', path: '/connections/:id/clients', summary: 'The clients a connection is enabled for', scopes: ['read:connections'],
      query: EnabledClientsQuerySchema, responses: { 200: { description: 'One page of enabled clients', schema: EnabledClientsPageSchema } },
      handler: async ({ req, res, query: q }) => {
        res.json(enabledClientsPage(await connections.get(param(req, 'id')), q.from, q.take ?? 50));
      },
    }),
    route({
      method: 'patch', path: '/connections/:id/clients', summary: 'Enable or disable a connection for clients', scopes: ['update:connections'],
      body: ClientStatusSchema, responses: none,
      handler: async ({ req, res, body }) => {
        await connections.setClients(param(req, 'id'), body);
        res.status(204).end();
      },
    }),
  ];
}
