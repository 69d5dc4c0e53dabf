import { Router } from 'express';
import type { ClientGrantRecord } from '../../store/types.ts';
import { requireScope } from '../auth.ts';
import { listOptions, listResponse } from '../paging.ts';
import type { ManagementContext } from '../resource.ts';
import { param, parseBody, parseQuery } from '../validation.ts';
import { ClientGrantCreateSchema, ClientGrantListQuerySchema, ClientGrantUpdateSchema } from './schema.ts';

const toAuth0 = ({ updated_at: _u, created_at: _c, ...g }: ClientGrantRecord) => g;

/** /api/v2/client-grants: which client may get which scopes for which audience. */
export function clientGrantsRouter({ services: { clientGrants } }: ManagementContext): Router {
  const r = Router();
  r.post('/', requireScope('create:client_grants'), async (req, res) => {
    res.status(201).json(toAuth0(await clientGrants.create(parseBody(ClientGrantCreateSchema, req.body))));
  });
  r.get('/', requireScope('read:client_grants'), async (req, res) => {
    const q = parseQuery(ClientGrantListQuerySchema, req.query);
    const filter = { ...(q.audience ? { audience: q.audience } : {}), ...(q.client_id ? { client_id: q.client_id } : {}) };
    const result = await clientGrants.list(filter, listOptions(q));
    res.json(listResponse('client_grants', q, { ...result, items: result.items.map(toAuth0) }, (g) => g.id));
  });
  r.patch('/:id', requireScope('update:client_grants'), async (req, res) => {
    const body = parseBody(ClientGrantUpdateSchema, req.body);
    res.json(toAuth0(await clientGrants.update(param(req, 'id'), body.scope)));
  });
  r.delete('/:id', requireScope('delete:client_grants'), async (req, res) => {
    await clientGrants.delete(param(req, 'id'));
    res.status(204).end();
  });
  return r;
}
