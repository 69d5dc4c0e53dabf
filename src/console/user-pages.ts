import { Router } from 'express';
import { toAuth0User } from '../management/users/view.ts';
import { param } from '../management/validation.ts';
import { runAction, sessionOf } from './actions.ts';
import { needScope } from './connection-pages.ts';
import { sendConsolePage, type ConsoleContext } from './context.ts';
import { setBlocked } from './user-block.ts';

const PAGE = 50;

/** Users per connection, one user's identities and metadata, block/unblock and delete. */
export function userPages(ctx: ConsoleContext): Router {
  const { connections, users } = ctx.services;
  const r = Router();

  r.get('/connections/:id/users', async (req, res) => {
    needScope(res, 'read:connections');
    needScope(res, 'read:users');
    const c = await connections.get(param(req, 'id'));
    const after = typeof req.query['after'] === 'string' ? req.query['after'].slice(0, 600) : undefined;
    const { items } = await users.list({ connection: c.name }, { limit: PAGE, ...(after ? { afterId: after } : {}) });
    const next = items.length === PAGE ? items.at(-1)?.user_id : undefined;
    await sendConsolePage(ctx, res, 200, 'users', { title: `Users of ${c.name}`, connection: c, users: items, next });
  });

  r.get('/users/:id', async (req, res) => {
    needScope(res, 'read:users');
    const user = await users.get(param(req, 'id'));
    const view = toAuth0User(user, {});
    await sendConsolePage(ctx, res, 200, 'user', {
      title: `User ${user.user_id}`, user, view, blocked: (user as { blocked?: unknown }).blocked === true, notice: req.query['done'],
    });
  });

  r.post('/users/:id/block', async (req, res) => {
    const id = param(req, 'id');
    const blocked = (req.body as Record<string, unknown>)['blocked'] === 'true';
    await runAction(ctx.sink, req, res, { scope: 'update:users', method: 'PATCH', path: `/users/${id}`, body: { blocked } },
      () => setBlocked(users, id, blocked));
    res.redirect(303, `${ctx.base}users/${encodeURIComponent(id)}?done=${blocked ? 'blocked' : 'unblocked'}`);
  });

  r.post('/users/:id/delete', async (req, res) => {
    const id = param(req, 'id');
    await runAction(ctx.sink, req, res, { scope: 'delete:users', method: 'DELETE', path: `/users/${id}` },
      () => users.delete(id, { clientId: sessionOf(res).clientId }));
    res.redirect(303, `${ctx.base}connections?user_deleted=1`);
  });
  return r;
}
