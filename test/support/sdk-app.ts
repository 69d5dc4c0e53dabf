import express from 'express';
import { auth, requiresAuth } from 'express-openid-connect';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestServer } from './server.ts';

/** An app built on Auth0's Express SDK, listening on loopback and registered with the server. */
export interface SdkApp {
  url: string;
  clientId: string;
  /** Where the SDK's /logout asks to come back to (registered in allowed_logout_urls). */
  returnTo: string;
  close(): Promise<void>;
}

export interface SdkAppOptions {
  connection: string;
  scope?: string;
  /** Extra client fields for POST /api/v2/clients (e.g. is_first_party: false). */
  client?: Record<string, unknown>;
}

/**
 * Registers a regular web app, enables `connection` for it, and serves it with
 * express-openid-connect as documented for Auth0 (auth0Logout, since the issuer is not
 * *.auth0.com). Routes: /profile (the user and whether a refresh token is held),
 * /userinfo (req.oidc.fetchUserInfo()), /refresh (req.oidc.accessToken.refresh()).
 */
export async function startSdkApp(srv: TestServer, opts: SdkAppOptions): Promise<SdkApp> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const returnTo = `${url}/signed-out`;
  const created = await srv.api('/clients', {
    method: 'POST',
    body: { name: 'SDK App', app_type: 'regular_web', callbacks: [`${url}/callback`], allowed_logout_urls: [returnTo],
      token_endpoint_auth_method: 'client_secret_basic', ...opts.client },
  });
  if (created.status !== 201) throw new Error(`cannot create app: ${JSON.stringify(created.body)}`);
  const { client_id: clientId, client_secret: clientSecret } = created.body as { client_id: string; client_secret: string };
  const conn = ((await srv.api(`/connections?name=${opts.connection}`)).body as { id: string }[])[0]!;
  await srv.api(`/connections/${conn.id}/clients`, { method: 'PATCH', body: [{ client_id: clientId, status: true }] });

  const app = express();
  app.use(auth({
    issuerBaseURL: srv.issuer, baseURL: url, clientID: clientId, clientSecret, secret: 'a-long-enough-app-session-secret',
    authRequired: false, auth0Logout: true, enableTelemetry: false, routes: { postLogoutRedirect: returnTo },
    authorizationParams: { response_type: 'code', scope: opts.scope ?? 'openid profile email offline_access', connection: opts.connection },
  }));
  app.get('/profile', requiresAuth(), (req, res) => {
    res.json({ user: req.oidc.user, hasRefreshToken: Boolean(req.oidc.refreshToken), accessToken: req.oidc.accessToken?.access_token });
  });
  app.get('/userinfo', requiresAuth(), async (req, res) => {
    res.json(await req.oidc.fetchUserInfo());
  });
  app.get('/refresh', requiresAuth(), async (req, res) => {
    const before = req.oidc.accessToken!.access_token;
    const after = await req.oidc.accessToken!.refresh();
    res.json({ before, after: after.access_token, refreshToken: req.oidc.refreshToken });
  });
  app.get('/signed-out', (_req, res) => {
    res.type('text').send('app: signed out');
  });
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).type('text').send(`app error: ${err.message}`);
  });
  server.on('request', app);
  return {
    url, clientId, returnTo,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
