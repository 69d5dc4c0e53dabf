import { Router } from 'express';
import { z } from 'zod';
import { AppError, conflict, notFound } from '../errors/app-error.ts';
import { newClientGrantId } from '../lib/ids.ts';
import { StoreConflictError, type ClientGrantRecord, type Store } from '../store/types.ts';
import { requireScope } from './auth.ts';
import { ListQuerySchema, listOptions, listResponse } from './paging.ts';
import { managementAudience, MANAGEMENT_SCOPES } from '../lib/management-scopes.ts';
import { param, parseBody, parseQuery } from './validation.ts';

const scopeList = z.array(z.string().min(1).max(280).regex(/^[^\s]+$/, { message: 'a scope has no spaces' })).max(500);
const CreateSchema = z.strictObject({
  client_id: z.string().min(1).max(128),
  audience: z.string().min(1).max(600),
  scope: scopeList,
});
const UpdateSchema = z.strictObject({ scope: scopeList });
const FilterSchema = ListQuerySchema.extend({ audience: z.string().max(600).optional(), client_id: z.string().max(128).optional() });

const toAuth0 = ({ updated_at: _u, created_at: _c, ...g }: ClientGrantRecord) => g;

/** /api/v2/client-grants: which client may get which scopes for which audience. */
export function clientGrantsRouter(store: Store, issuer: string): Router {
  const mgmt = managementAudience(issuer);
  const checkScopes = (audience: string, scope: string[]): void => {
    const unknown = audience === mgmt ? scope.filter((s) => !(MANAGEMENT_SCOPES as readonly string[]).includes(s)) : [];
    if (unknown.length) {
      throw new AppError(400, 'invalid_body', `Payload validation error: scope: unknown Management API scopes: ${unknown.join(', ')}`);
    }
  };
  const r = Router();
  r.post('/', requireScope('create:client_grants'), async (req, res) => {
    const body = parseBody(CreateSchema, req.body);
    checkScopes(body.audience, body.scope);
    if (!(await store.clients.get(body.client_id))) throw notFound(`Client not found: ${JSON.stringify(body.client_id)}`);
    const now = new Date().toISOString();
    const grant: ClientGrantRecord = { id: newClientGrantId(), ...body, created_at: now, updated_at: now };
    try {
      await store.clientGrants.insert(grant);
    } catch (err) {
      if (err instanceof StoreConflictError) throw conflict('A client grant for this client and audience already exists', 'client_grant_conflict');
      throw err;
    }
    res.status(201).json(toAuth0(grant));
  });
  r.get('/', requireScope('read:client_grants'), async (req, res) => {
    const q = parseQuery(FilterSchema, req.query);
    const filter = { ...(q.audience ? { audience: q.audience } : {}), ...(q.client_id ? { client_id: q.client_id } : {}) };
    const result = await store.clientGrants.list(filter, listOptions(q));
    res.json(listResponse('client_grants', q, { ...result, items: result.items.map(toAuth0) }, (g) => g.id));
  });
  r.patch('/:id', requireScope('update:client_grants'), async (req, res) => {
    const body = parseBody(UpdateSchema, req.body);
    const grant = await store.clientGrants.get(param(req, 'id'));
    if (!grant) throw notFound(`Client grant not found: ${JSON.stringify(param(req, 'id'))}`);
    checkScopes(grant.audience, body.scope);
    const next = { ...grant, scope: body.scope, updated_at: new Date().toISOString() };
    if (!(await store.clientGrants.replace(next))) throw notFound(`Client grant not found: ${JSON.stringify(param(req, 'id'))}`);
    res.json(toAuth0(next));
  });
  r.delete('/:id', requireScope('delete:client_grants'), async (req, res) => {
    if (!(await store.clientGrants.delete(param(req, 'id')))) throw notFound(`Client grant not found: ${JSON.stringify(param(req, 'id'))}`);
    res.status(204).end();
  });
  return r;
}
