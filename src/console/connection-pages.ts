import { Router, type Request, type Response } from 'express';
import { publicOptions } from '../connections/stored.ts';
import { callbackUrl } from '../connections/upstream-urls.ts';
import { AppError } from '../errors/app-error.ts';
import type { ManagementScope } from '../lib/management-scopes.ts';
import { checkImmutable, checkStrategy, takeSecretRemoval } from '../management/connections/body.ts';
import { ClientStatusSchema, connectionSchemas } from '../management/connections/schema.ts';
import { param, parseBody } from '../management/validation.ts';
import type { ConnectionRecord } from '../store/types.ts';
import { can, insufficientScope, runAction, sessionOf } from './actions.ts';
import { createBodyFromForm, formValues, updateBodyFromForm, type FormBody } from './connection-form.ts';
import { sendConsolePage, type ConsoleContext } from './context.ts';
import { lastLogin, soleUsersOf } from './connection-facts.ts';

const MAX_LISTED = 100;

/** Refuses a page whose data the client may not read (the API's 403). */
export function needScope(res: Response, scope: ManagementScope): void {
  if (!can(sessionOf(res), scope)) throw insufficientScope(scope);
}

/** Connections: list, create, edit, enable apps, delete. */
export function connectionPages(ctx: ConsoleContext): Router {
  const { connections, clients } = ctx.services;
  const schemas = connectionSchemas(ctx.urlPolicy);
  const r = Router();
  const allClients = async () => (await clients.list({ limit: MAX_LISTED })).items;

  async function formPage(res: Response, status: number, c: ConnectionRecord | undefined, values: Record<string, string>, error?: string, saved = false): Promise<void> {
    const options = c ? publicOptions(c.options) : {};
    const apps = c && can(sessionOf(res), 'read:clients')
      ? (await allClients()).map((a) => ({ id: a.client_id, name: a.name, enabled: c.enabled_clients.includes(a.client_id) })) : [];
    await sendConsolePage(ctx, res, status, 'connection', {
      title: c ? `Connection ${c.name}` : 'New connection', connection: c, values, error, saved,
      hasSecret: typeof c?.options['client_secret'] === 'string',
      callback: callbackUrl(ctx.issuer, c?.name ?? values['name'] ?? 'NAME', { unique_callback: values['unique_callback'] === 'true' || options['unique_callback'] === true }),
      savedScope: typeof options['scope'] === 'string' ? options['scope'] : Array.isArray(options['scope']) ? options['scope'].join(' ') : '',
      apps,
    });
  }
  /** The form's own values again, so a refused save loses nothing the admin typed (except the secret). */
  const echo = (body: FormBody): Record<string, string> => Object.fromEntries(Object.entries(body)
    .filter(([k, v]) => typeof v === 'string' && k !== 'client_secret' && k !== '_csrf')
    .map(([k, v]) => [k, k === 'useOauthSpecScope' || k === 'pkce_enabled' || k === 'unique_callback' ? 'true' : String(v)]));
  const saveFailed = async (res: Response, err: unknown, c: ConnectionRecord | undefined, body: FormBody): Promise<void> => {
    if (!(err instanceof AppError) || err.status === 403 || err.status >= 500) throw err;
    await formPage(res, err.status, c, echo(body), err.message);
  };

  r.get('/connections', async (_req, res) => {
    needScope(res, 'read:connections');
    const [{ items }, apps] = await Promise.all([
      connections.list({}, { limit: MAX_LISTED }),
      can(sessionOf(res), 'read:clients') ? allClients() : Promise.resolve([]),
    ]);
    const names = new Map(apps.map((a) => [a.client_id, a.name]));
    const rows = await Promise.all(items.map(async (c) => ({
      id: c.id, name: c.name, displayName: c.display_name ?? '', apps: c.enabled_clients.map((id) => names.get(id) ?? id),
      last: await lastLogin(ctx, c.name),
    })));
    await sendConsolePage(ctx, res, 200, 'connections', { title: 'Connections', rows, logsOn: !!ctx.logs });
  });

  r.get('/connections/new', async (_req, res) => {
    needScope(res, 'create:connections');
    await formPage(res, 200, undefined, {});
  });

  r.post('/connections', async (req, res) => {
    try {
      const body = createBodyFromForm(req.body as FormBody);
      const created = await runAction(ctx.sink, req, res, { scope: 'create:connections', method: 'POST', path: '/connections', body }, () => {
        checkStrategy(body);
        return connections.create(parseBody(schemas.create, takeSecretRemoval(body).body));
      });
      res.redirect(303, `${ctx.base}connections/${encodeURIComponent(created.id)}?saved=1`);
    } catch (err) {
      await saveFailed(res, err, undefined, req.body as FormBody);
    }
  });

  r.get('/connections/:id', async (req, res) => {
    needScope(res, 'read:connections');
    const c = await connections.get(param(req, 'id'));
    await formPage(res, 200, c, formValues(publicOptions(c.options)), undefined, req.query['saved'] === '1');
  });

  r.post('/connections/:id', async (req, res) => {
    const id = param(req, 'id');
    needScope(res, 'read:connections');
    const current = await connections.get(id);
    try {
      const body = updateBodyFromForm(req.body as FormBody, publicOptions(current.options));
      await runAction(ctx.sink, req, res, { scope: 'update:connections', method: 'PATCH', path: `/connections/${id}`, body }, () => {
        checkImmutable(body);
        const { body: rest, removeSecret } = takeSecretRemoval(body);
        return connections.update(id, parseBody(schemas.update, rest), removeSecret);
      });
      res.redirect(303, `${ctx.base}connections/${encodeURIComponent(id)}?saved=1`);
    } catch (err) {
      await saveFailed(res, err, current, req.body as FormBody);
    }
  });

  r.post('/connections/:id/apps', async (req: Request, res) => {
    const id = param(req, 'id');
    const form = req.body as FormBody;
    const body = [{ client_id: String(form['client_id'] ?? ''), status: form['status'] === 'true' }];
    await runAction(ctx.sink, req, res, { scope: 'update:connections', method: 'PATCH', path: `/connections/${id}/clients`, body, okStatus: 204 },
      () => connections.setClients(id, parseBody(ClientStatusSchema, body)));
    res.redirect(303, `${ctx.base}connections/${encodeURIComponent(id)}#applications`);
  });

  r.get('/connections/:id/delete', async (req, res) => {
    needScope(res, 'read:connections');
    const c = await connections.get(param(req, 'id'));
    const users = can(sessionOf(res), 'read:users') ? await soleUsersOf(ctx, c.name) : undefined;
    await sendConsolePage(ctx, res, 200, 'connection-delete', { title: `Delete ${c.name}`, connection: c, users });
  });

  r.post('/connections/:id/delete', async (req, res) => {
    const id = param(req, 'id');
    await runAction(ctx.sink, req, res, { scope: 'delete:connections', method: 'DELETE', path: `/connections/${id}` }, () => connections.delete(id));
    res.redirect(303, `${ctx.base}connections?deleted=1`);
  });
  return r;
}
