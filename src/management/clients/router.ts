import { Router } from 'express';
import type { ClientRecord } from '../../store/types.ts';
import { requireScope } from '../auth.ts';
import { ListQuerySchema, listOptions, listResponse, selectFields } from '../paging.ts';
import type { ManagementContext } from '../resource.ts';
import { param, parseBody, parseQuery } from '../validation.ts';
import { ClientCreateSchema, ClientUpdateSchema } from './schema.ts';

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

/** /api/v2/clients */
export function clientsRouter({ services: { clients } }: ManagementContext): Router {
  const r = Router();
  r.post('/', requireScope('create:clients'), async (req, res) => {
    const input = parseBody(ClientCreateSchema, req.body);
    const { client, secret } = await clients.create(input);
    res.status(201).json(toAuth0Client(client, secret));
  });
  r.get('/', requireScope('read:clients'), async (req, res) => {
    const q = parseQuery(ListQuerySchema, req.query);
    const result = await clients.list(listOptions(q));
    res.json(listResponse('clients', q, { ...result, items: result.items.map((c) => toAuth0Client(c)) }, (c) => String(c['client_id'])));
  });
  r.get('/:id', requireScope('read:clients'), async (req, res) => {
    const q = parseQuery(ListQuerySchema.pick({ fields: true, include_fields: true }), req.query);
    res.json(selectFields(toAuth0Client(await clients.get(param(req, 'id'))), q));
  });
  r.patch('/:id', requireScope('update:clients'), async (req, res) => {
    const patch = parseBody(ClientUpdateSchema, req.body);
    const updated = await clients.update(param(req, 'id'), patch);
    res.json(toAuth0Client(updated.client, updated.secret));
  });
  r.delete('/:id', requireScope('delete:clients'), async (req, res) => {
    await clients.delete(param(req, 'id'));
    res.status(204).end();
  });
  r.post('/:id/rotate-secret', requireScope('update:client_keys'), async (req, res) => {
    const rotated = await clients.rotateSecret(param(req, 'id'));
    res.json(toAuth0Client(rotated.client, rotated.secret));
  });
  return r;
}
