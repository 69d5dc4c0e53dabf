import type { Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.ts';
import { ConnectionError } from '../../connections/errors.ts';
import { RefreshUnavailable } from '../../connections/refresh.ts';
import type { UserRecord } from '../../store/types.ts';
import { principalOf } from '../auth.ts';
import { listOf } from '../openapi/responses.ts';
import { route, type ManagementRoute } from '../openapi/route.ts';
import { ListQuerySchema, listOptions, listResponse, selectFields } from '../paging.ts';
import type { ManagementContext } from '../resource.ts';
import { param } from '../validation.ts';
import { UserListQuerySchema, userFilter } from './query.ts';
import { IdentityResponseSchema, LinkSchema, RefreshResponseSchema, UserPatchSchema, UserResponseSchema } from './schema.ts';
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

const user = { description: 'The user', schema: UserResponseSchema };
const identities = (description: string) => ({ description, schema: z.array(IdentityResponseSchema) });

/** /api/v2/users and /api/v2/users-by-email: the users custom connections created (they are made by logins, not here). */
export function userRoutes({ services: { users } }: ManagementContext): ManagementRoute[] {
  return [
    route({
      method: 'get', path: '/users', summary: 'List or search users', scopes: ['read:users'], query: UserListQuerySchema,
      responses: { 200: { description: 'A page of users', schema: listOf('users', UserResponseSchema) } },
      handler: async ({ res, query: q }) => {
        const result = await users.list(userFilter(q), listOptions(q));
        res.json(listResponse('users', q, { ...result, items: result.items.map(viewFor(res, users)) }, (u) => String(u['user_id'])));
      },
    }),
    route({
      method: 'get', path: '/users/:id', summary: 'Get a user', scopes: ['read:users'], query: FieldsSchema, responses: { 200: user },
      handler: async ({ req, res, query: q }) => {
        res.json(selectFields(viewFor(res, users)(await users.get(param(req, 'id'))), q));
      },
    }),
    // This server's addition: a fresh upstream access token for one identity, refreshed with the stored refresh token.
    route({
      method: 'post', path: '/users/:id/identities/:connection/refresh', scopes: ['read:user_idp_tokens'],
      summary: 'Refresh one identity\'s upstream access token (this server\'s addition)',
      responses: { 200: { description: 'The fresh upstream token', schema: RefreshResponseSchema } },
      handler: async ({ req, res }) => {
        try {
          res.json(await users.refresh(param(req, 'id'), param(req, 'connection')));
        } catch (err) {
          if (err instanceof RefreshUnavailable) {
            throw err.reason === 'no_refresh_token' ? new AppError(409, 'no_refresh_token', err.message) : new AppError(404, 'inexistent_resource', err.message);
          }
          if (err instanceof ConnectionError) throw new AppError(502, 'upstream_refresh_failed', err.message);
          throw err;
        }
      },
    }),
    route({
      method: 'patch', path: '/users/:id', summary: 'Update a user (metadata, blocked, root attributes)', scopes: ['update:users'],
      body: UserPatchSchema, responses: { 200: user },
      handler: async ({ req, res, body }) => {
        res.json(viewFor(res, users)(await users.update(param(req, 'id'), body)));
      },
    }),
    // Account linking (Auth0's): both answer the primary's identities.
    route({
      method: 'post', path: '/users/:id/identities', summary: 'Link a secondary user\'s identities into this user', scopes: ['update:users'],
      body: LinkSchema, responses: { 201: identities('The primary user\'s identities') },
      handler: async ({ req, res, body }) => {
        res.status(201).json(toAuth0Identities(await users.link(param(req, 'id'), body), viewOptions(res, users)));
      },
    }),
    route({
      method: 'delete', path: '/users/:id/identities/:provider/:user_id', summary: 'Unlink one identity into a user of its own',
      scopes: ['update:users'], responses: { 200: identities('The primary user\'s remaining identities') },
      handler: async ({ req, res }) => {
        const unlinked = await users.unlink(param(req, 'id'), param(req, 'provider'), param(req, 'user_id'));
        res.json(toAuth0Identities(unlinked, viewOptions(res, users)));
      },
    }),
    route({
      method: 'delete', path: '/users/:id', summary: 'Delete a user', scopes: ['delete:users'], responses: { 204: { description: 'Deleted' } },
      handler: async ({ req, res }) => {
        await users.delete(param(req, 'id'), { clientId: principalOf(res).clientId });
        res.status(204).end();
      },
    }),
    // Every user with that email (case-insensitive), as a bare array.
    route({
      method: 'get', path: '/users-by-email', summary: 'Users by email (case-insensitive)', scopes: ['read:users'], query: ByEmailSchema,
      responses: { 200: { description: 'Every user with that email', schema: z.array(UserResponseSchema) } },
      handler: async ({ res, query: q }) => {
        const view = viewFor(res, users);
        // Emails are not unique across connections; a page of 100 is far more than one address has.
        const { items } = await users.list({ email: q.email }, { limit: 100 });
        res.json(items.map((u) => selectFields(view(u), q)));
      },
    }),
  ];
}
