import { Router, type Response } from 'express';
import { z } from 'zod';
import { AppError, notFound } from '../../errors/app-error.ts';
import { ConnectionError } from '../../connections/errors.ts';
import { RefreshUnavailable, type Refresher } from '../../connections/refresh.ts';
import type { Logger } from '../../lib/logger.ts';
import type { SecretBox } from '../../lib/secrets.ts';
import type { TenantLogs } from '../../logs/index.ts';
import type { Store, UserRecord } from '../../store/types.ts';
import { principalOf, requireScope } from '../auth.ts';
import { ListQuerySchema, listOptions, listResponse, selectFields } from '../paging.ts';
import { param, parseQuery } from '../validation.ts';
import { UserListQuerySchema, userFilter } from './query.ts';
import { toAuth0User } from './view.ts';
import { deleteUser } from '../../users/delete.ts';

export interface UsersDeps { store: Store; box: SecretBox; logger: Logger; refresh: Refresher; logs: TenantLogs }

const FieldsSchema = ListQuerySchema.pick({ fields: true, include_fields: true });
const ByEmailSchema = FieldsSchema.extend({ email: z.string({ message: 'required (users-by-email?email=<address>)' }).min(1, { message: 'required' }).max(512) });

const userNotFound = (id: string) => notFound(`User not found: no user has user_id ${JSON.stringify(id)}`, 'inexistent_user');

/** Renders users for this caller: upstream tokens only for a token holding read:user_idp_tokens. */
function viewFor(res: Response, deps: UsersDeps) {
  const withTokens = principalOf(res).scopes.has('read:user_idp_tokens');
  return (u: UserRecord) => toAuth0User(u, { withTokens, box: deps.box, log: deps.logger });
}

/** /api/v2/users: the users custom connections created (they are made by logins, not here). */
export function usersRouter(deps: UsersDeps): Router {
  const r = Router();
  r.get('/', requireScope('read:users'), async (req, res) => {
    const q = parseQuery(UserListQuerySchema, req.query);
    const result = await deps.store.users.list(userFilter(q), listOptions(q));
    res.json(listResponse('users', q, { ...result, items: result.items.map(viewFor(res, deps)) }, (u) => String(u['user_id'])));
  });
  r.get('/:id', requireScope('read:users'), async (req, res) => {
    const q = parseQuery(FieldsSchema, req.query);
    const user = await deps.store.users.get(param(req, 'id'));
    if (!user) throw userNotFound(param(req, 'id'));
    res.json(selectFields(viewFor(res, deps)(user), q));
  });
  // This server's addition: a fresh upstream access token for one identity, refreshed with the stored refresh token.
  r.post('/:id/identities/:connection/refresh', requireScope('read:user_idp_tokens'), async (req, res) => {
    try {
      res.json(await deps.refresh(param(req, 'id'), param(req, 'connection')));
    } catch (err) {
      if (err instanceof RefreshUnavailable) throw new AppError(err.status, err.status === 404 ? 'inexistent_resource' : 'no_refresh_token', err.message);
      if (err instanceof ConnectionError) throw new AppError(502, 'upstream_refresh_failed', err.message);
      throw err;
    }
  });
  r.delete('/:id', requireScope('delete:users'), async (req, res) => {
    if (!(await deleteUser(deps.store, deps.logs.sink, param(req, 'id'), { clientId: principalOf(res).clientId }))) throw userNotFound(param(req, 'id'));
    res.status(204).end();
  });
  return r;
}

/** /api/v2/users-by-email?email=: every user with that email (case-insensitive), as a bare array. */
export function usersByEmailRouter(deps: UsersDeps): Router {
  const r = Router();
  r.get('/', requireScope('read:users'), async (req, res) => {
    const q = parseQuery(ByEmailSchema, req.query);
    const view = viewFor(res, deps);
    // Emails are not unique across connections; a page of 100 is far more than one address has.
    const { items } = await deps.store.users.list({ email: q.email }, { limit: 100 });
    res.json(items.map((u) => selectFields(view(u), q)));
  });
  return r;
}
