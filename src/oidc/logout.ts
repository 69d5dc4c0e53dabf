import type { Request, RequestHandler, Response } from 'express';
import type Provider from 'oidc-provider';
import type { Client } from 'oidc-provider';
import { z } from 'zod';
import { renderPage } from '../lib/render.ts';
import type { LogSink } from '../lib/log-events.ts';
import type { OidcHost } from './host.ts';
import { logLogout } from './log-events.ts';

/** Auth0's /v2/logout query. `federated` is accepted and ignored: there is no upstream session to end. */
const LogoutQuerySchema = z.object({
  client_id: z.string({ message: 'client_id must be given once' }).min(1, { message: 'client_id must not be empty' }).optional(),
  returnTo: z.string({ message: 'returnTo must be given once' }).min(1, { message: 'returnTo must not be empty' }).optional(),
  federated: z.unknown().optional(),
});

/** Where the browser goes after logout: a registered URL, or our own signed-out page. */
type Destination = { redirect: string } | { page: true } | { refused: string };

/** Auth0's rules: returnTo must be one of the client's allowed_logout_urls, compared exactly; without it, the first one. */
function destination(client: Client | undefined, clientId: string | undefined, returnTo: string | undefined): Destination {
  const allowed = client?.postLogoutRedirectUris ?? [];
  if (returnTo === undefined) return allowed[0] ? { redirect: allowed[0] } : { page: true };
  if (!client) {
    return { refused: `returnTo "${returnTo}" needs client_id: the URL is checked against that application's allowed_logout_urls.` };
  }
  if (!client.postLogoutRedirectUriAllowed(returnTo)) {
    return {
      refused: `returnTo "${returnTo}" is not in the allowed_logout_urls of application "${client.clientName ?? clientId}" (client_id ${clientId}). `
        + `Add the exact URL to allowed_logout_urls (PATCH /api/v2/clients/${clientId}) and sign out again.`,
    };
  }
  return { redirect: returnTo };
}

/**
 * Ends the browser's session through oidc-provider's Session model: the session is destroyed
 * and its cookie cleared. What was bound to it dies with it (codes not yet redeemed, access
 * tokens without offline_access: oidc-provider checks their session on use). Refresh tokens
 * of offline grants stay valid, as on Auth0. Grants are left to expire: a new session does
 * not find them (oidc-provider looks grants up through the session).
 */
async function endSession(provider: Provider, req: Request, res: Response): Promise<string | undefined> {
  const ctx = provider.createContext(req, res);
  const session = await provider.Session.get(ctx);
  await session.destroy();
  // Signed like oidc-provider's own cookies, so the .sig cookie goes too.
  ctx.cookies.set(provider.cookieName('session'), null, { signed: true });
  return session.accountId;
}

async function page(res: Response, status: number, data: { title: string; heading: string; message: string; mainClass?: string; code?: string }): Promise<void> {
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
  res.status(status).type('html').send(await renderPage('error', data));
}

const refusedPage = (res: Response, message: string) =>
  page(res, 400, { title: 'Sign-out problem', mainClass: 'error', heading: 'We could not sign you out', message, code: 'invalid_request' });

/**
 * `GET /v2/logout?client_id=&returnTo=` (Auth0's logout, which Auth0's SDKs call without an
 * id_token_hint). Anyone can trigger it, as on Auth0; what it must never do is send the
 * browser anywhere but a URL the application registered. A refused request changes nothing.
 */
export function auth0Logout(host: OidcHost, logs: LogSink): RequestHandler {
  return async (req, res, next) => {
    try {
      const parsed = LogoutQuerySchema.safeParse(req.query);
      if (!parsed.success) return await refusedPage(res, parsed.error.issues.map((i) => i.message).join('; '));
      const { client_id: clientId, returnTo } = parsed.data;
      const provider = host.provider();
      const client = clientId ? await provider.Client.find(clientId) : undefined;
      if (clientId && !client) return await refusedPage(res, `client_id "${clientId}" is not a registered application: check the application's client_id.`);
      const to = destination(client, clientId, returnTo);
      if ('refused' in to) return await refusedPage(res, to.refused);
      logLogout(logs, req, client, await endSession(provider, req, res), '/v2/logout');
      if ('redirect' in to) return res.redirect(302, to.redirect);
      await page(res, 200, { title: 'Signed out', heading: 'You are signed out', message: 'You can close this window.' });
    } catch (err) {
      next(err);
    }
  };
}
