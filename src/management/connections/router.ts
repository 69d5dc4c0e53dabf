import { Router } from 'express';
import type { UrlPolicy } from '../../connections/options.ts';
import type { Store } from '../../store/types.ts';
import { requireScope } from '../auth.ts';
import { ListQuerySchema, listOptions, listResponse, selectFields } from '../paging.ts';
import { param, parseBody, parseQuery } from '../validation.ts';
import { checkImmutable, checkStrategy, takeSecretRemoval } from './body.ts';
import { ClientStatusSchema, ConnectionListQuerySchema, EnabledClientsQuerySchema, connectionSchemas } from './schema.ts';
import { connectionNotFound, type ConnectionService } from './service.ts';
import { enabledClientsPage, toAuth0Connection } from './view.ts';

/** /api/v2/connections: custom social (oauth2) connections and the clients they serve. */
export function connectionsRouter(store: Store, connections: ConnectionService, policy: UrlPolicy): Router {
  const schemas = connectionSchemas(policy);
  const load = async (id: string) => {
    const found = await store.connections.get(id);
    if (!found) throw connectionNotFound(id);
    return found;
  };
  const r = Router();
  r.post('/', requireScope('create:connections'), async (req, res) => {
    checkStrategy(req.body);
    const input = parseBody(schemas.create, takeSecretRemoval(req.body).body);
    res.status(201).json(toAuth0Connection(await connections.create(input)));
  });
  r.get('/', requireScope('read:connections'), async (req, res) => {
    const q = parseQuery(ConnectionListQuerySchema, req.query);
    const filter = { ...(q.strategy ? { strategy: q.strategy } : {}), ...(q.name !== undefined ? { name: q.name } : {}) };
    const result = await store.connections.list(filter, listOptions(q));
    res.json(listResponse('connections', q, { ...result, items: result.items.map(toAuth0Connection) }, (c) => String(c['id'])));
  });
  r.get('/:id', requireScope('read:connections'), async (req, res) => {
    const q = parseQuery(ListQuerySchema.pick({ fields: true, include_fields: true }), req.query);
    res.json(selectFields(toAuth0Connection(await load(param(req, 'id'))), q));
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
    res.json(enabledClientsPage(await load(param(req, 'id')), q.from, q.take ?? 50));
  });
  r.patch('/:id/clients', requireScope('update:connections'), async (req, res) => {
    const changes = parseBody(ClientStatusSchema, req.body);
    await connections.setClients(param(req, 'id'), changes);
    res.status(204).end();
  });
  return r;
}
