import { Router, type Request, type Response } from 'express';
import express from 'express';
import type { Broker } from '../connections/types.ts';
import { CALLBACK_ROUTES } from '../connections/upstream-urls.ts';
import type { InteractionPort, InteractionInfo } from '../oidc/interactions.ts';
import type { Store } from '../store/types.ts';
import { loginButtons, pageHeaders, sendExpired, sendPage } from './pages.ts';

export interface LoginDeps {
  store: Store;
  broker: Broker;
  interactions: InteractionPort;
  allowHttpImages: boolean;
}

const MAX_BUTTONS = 100;

/** The login pages (interactions) and the upstream callback. */
export function loginRouter(deps: LoginDeps): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });

  /** The interaction of this browser, or the expired page when its cookie is gone. */
  async function interaction(req: Request, res: Response): Promise<InteractionInfo | undefined> {
    try {
      return await deps.interactions.details(req, res);
    } catch {
      await sendExpired(res, 'Your sign-in session was not found or has expired.');
      return undefined;
    }
  }

  r.use('/login', (_req, res, next) => {
    pageHeaders(res, deps.allowHttpImages);
    next();
  });

  for (const path of CALLBACK_ROUTES) r.get(path, (req, res, next) => deps.broker.callback(req, res, next));

  r.get('/login/:uid', async (req, res, next) => {
    const info = await interaction(req, res);
    if (!info) return;
    if (info.prompt === 'consent') {
      const client = await deps.store.clients.get(info.clientId);
      // First-party apps never ask (like Auth0), even when the app sends prompt=consent.
      if (client?.is_first_party) return res.redirect(303, await deps.interactions.grantConsent(req, res));
      return sendPage(res, 200, 'consent', {
        title: 'Allow access', uid: info.uid, app: client?.name ?? info.clientId, scopes: info.missingScopes, apis: info.missingResourceScopes,
      });
    }
    const connection = info.params['connection'];
    if (typeof connection === 'string' && connection) return deps.broker.start(req, res, next, info, connection);
    const [client, { items }] = await Promise.all([
      deps.store.clients.get(info.clientId),
      deps.store.connections.list({ enabledClientId: info.clientId, strategy: ['oauth2'] }, { limit: MAX_BUTTONS }),
    ]);
    await sendPage(res, 200, 'login', { title: `Sign in to ${client?.name ?? 'the application'}`, app: client?.name ?? 'the application', uid: info.uid, buttons: loginButtons(items) });
  });

  r.post('/login/:uid/connection/:name', async (req, res, next) => {
    const info = await interaction(req, res);
    if (info) await deps.broker.start(req, res, next, info, String(req.params['name']));
  });

  r.post('/login/:uid/consent', form, async (req, res) => {
    const info = await interaction(req, res);
    if (!info) return;
    if (req.body?.['decision'] === 'deny') {
      const returnTo = await deps.interactions.finish(info.uid, { error: 'access_denied', error_description: 'the user did not allow access' });
      return returnTo ? res.redirect(303, returnTo) : sendExpired(res, 'The sign-in took too long.');
    }
    res.redirect(303, await deps.interactions.grantConsent(req, res));
  });
  return r;
}
