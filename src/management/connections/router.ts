import { Router } from 'express';
import { requireScope } from '../auth.ts';
import { ListQuerySchema, listOptions, listResponse, selectFields } from '../paging.ts';
import type { ManagementContext } from '../resource.ts';
import { param, parseBody, parseQuery } from '../validation.ts';
import { checkImmutable, checkStrategy, takeSecretRemoval } from './body.ts';
import { ClientStatusSchema, ConnectionListQuerySchema, EnabledClientsQuerySchema, connectionSchemas } from './schema.ts';
import { enabledClientsPage, toAuth0Connection } from './view.ts';

/** /api/v2/connections: custom social (oauth2) connections and the clients they serve. */
export function connectionsRouter({ services: { connections }, urlPolicy }: ManagementContext): Router {
  const schemas = connectionSchemas(urlPolicy);
  const r = Router();
  r.post('/', requireScope('create:connections'), async (req, res) => {
    checkStrategy(req.body);
    const input = parseBody(schemas.create, takeSecretRemoval(req.body).body);
    res.status(201).json(toAuth0Connection(await connections.create(input)));
  });
  r.get('/', requireScope('read:connections'), async (req, res) => {
    const q = parseQuery(ConnectionListQuerySchema, req.query);
    const filter = { ...(q.strategy ? { strategy: q.strategy } : {}), ...(q.name !== undefined ? { name: q.name } : {}) };
    const result = await connections.list(filter, listOptions(q));
    res.json(listResponse('connections', q, { ...result, items: result.items.map(toAuth0Connection) }, (c) => String(c['id'])));
  });
  r.get('/:id', requireScope('read:connections'), async (req, res) => {
    const q = parseQuery(ListQuerySchema.pick({ fields: true, include_fields: true }), req.query);
    res.json(selectFields(toAuth0Connection(await connections.get(param(req, 'id'))), q));
  });
  r.patch('/:id', requireScope('update:connections'), async (req, res) => {
    checkImmutable(req.body);
    const { body, removeSecret } = takeSecretRemoval(req.body);
    const patch = parseBody(schemas.update, body);
    res.json(toAuth0Connection(await connections.update(param(req, 'id'), patch, removeSecret)));
  });
  r.delete('/:id', requireScope('delete:connections'), async (req, res) => {
    await connections.delete(param(req, 'id'));
    res.status(204).end();
  });
  r.get('/:id/clients', requireScope('read:connections'), async (req, res) => {
    const q = parseQuery(EnabledClientsQuerySchema, req.query);
    res.json(enabledClientsPage(await connections.get(param(req, 'id')), q.from, q.take ?? 50));
  });
  r.patch('/:id/clients', requireScope('update:connections'), async (req, res) => {
    const changes = parseBody(ClientStatusSchema, req.body);
    await connections.setClients(param(req, 'id'), changes);
    res.status(204).end();
  });
  return r;
}
