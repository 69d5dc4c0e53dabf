import { Router, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.ts';
import { ConnectionError } from '../../connections/errors.ts';
import { RefreshUnavailable } from '../../connections/refresh.ts';
import type { UserRecord } from '../../store/types.ts';
import { principalOf, requireScope } from '../auth.ts';
import { ListQuerySchema, listOptions, listResponse, selectFields } from '../paging.ts';
import type { ManagementContext } from '../resource.ts';
import { param, parseBody, parseQuery } from '../validation.ts';
import { UserListQuerySchema, userFilter } from './query.ts';
import { LinkSchema, UserPatchSchema } from './schema.ts';
import type { UserService } from './service.ts';
import { toAuth0Identities, toAuth0User, type UserViewOptions } from './view.ts';

const FieldsSchema = ListQuerySchema.pick({ fields: true, include_fields: true });
const ByEmailSchema = FieldsSchema.extend({ email: z.string({ message: 'required (users-by-email?email=<address>)' }).min(1, { message: 'required' }).max(512) });

/** What this caller may see: upstream tokens only for a token holding read:user_idp_tokens. */
const viewOptions = (res: Response, users: UserService): UserViewOptions =>
  principalOf(res).scopes.has('read:user_idp_tokens') ? { tokensOf: users.identityTokens } : {};

/** Renders users for this caller. */
function viewFor(res: Response, users: UserService) {
  const options = viewOptions(res, users);
  return (u: UserRecord) => toAuth0User(u, options);
}

/** /api/v2/users: the users custom connections created (they are made by logins, not here). */
export function usersRouter({ services: { users } }: ManagementContext): Router {
  const r = Router();
  r.get('/', requireScope('read:users'), async (req, res) => {
    const q = parseQuery(UserListQuerySchema, req.query);
    const result = await users.list(userFilter(q), listOptions(q));
    res.json(listResponse('users', q, { ...result, items: result.items.map(viewFor(res, users)) }, (u) => String(u['user_id'])));
  });
  r.get('/:id', requireScope('read:users'), async (req, res) => {
    const q = parseQuery(FieldsSchema, req.query);
    res.json(selectFields(viewFor(res, users)(await users.get(param(req, 'id'))), q));
  });
  // This server's addition: a fresh upstream access token for one identity, refreshed with the stored refresh token.
  r.post('/:id/identities/:connection/refresh', requireScope('read:user_idp_tokens'), async (req, res) => {
    try {
      res.json(await users.refresh(param(req, 'id'), param(req, 'connection')));
    } catch (err) {
      if (err instanceof RefreshUnavailable) {
        throw err.reason === 'no_refresh_token' ? new AppError(409, 'no_refresh_token', err.message) : new AppError(404, 'inexistent_resource', err.message);
      }
      if (err instanceof ConnectionError) throw new AppError(502, 'upstream_refresh_failed', err.message);
      throw err;
    }
  });
  r.patch('/:id', requireScope('update:users'), async (req, res) => {
    const patch = parseBody(UserPatchSchema, req.body);
    res.json(viewFor(res, users)(await users.update(param(req, 'id'), patch)));
  });
  // Account linking (Auth0's): both answer the primary's identities.
  r.post('/:id/identities', requireScope('update:users'), async (req, res) => {
    const body = parseBody(LinkSchema, req.body);
    res.status(201).json(toAuth0Identities(await users.link(param(req, 'id'), body), viewOptions(res, users)));
  });
  r.delete('/:id/identities/:provider/:user_id', requireScope('update:users'), async (req, res) => {
    const user = await users.unlink(param(req, 'id'), param(req, 'provider'), param(req, 'user_id'));
    res.json(toAuth0Identities(user, viewOptions(res, users)));
  });
  r.delete('/:id', requireScope('delete:users'), async (req, res) => {
    await users.delete(param(req, 'id'), { clientId: principalOf(res).clientId });
    res.status(204).end();
  });
  return r;
}

/** /api/v2/users-by-email?email=: every user with that email (case-insensitive), as a bare array. */
export function usersByEmailRouter({ services: { users } }: ManagementContext): Router {
  const r = Router();
  r.get('/', requireScope('read:users'), async (req, res) => {
    const q = parseQuery(ByEmailSchema, req.query);
    const view = viewFor(res, users);
    // Emails are not unique across connections; a page of 100 is far more than one address has.
    const { items } = await users.list({ email: q.email }, { limit: 100 });
    res.json(items.map((u) => selectFields(view(u), q)));
  });
  return r;
}
