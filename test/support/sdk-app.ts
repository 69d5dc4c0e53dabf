import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnection, userinfoScript } from './connections.ts';
import type { TestServer } from './server.ts';
import { startGeneric, type Upstream } from './upstreams/index.ts';
import type { UserAgent } from './user-agent.ts';

/** A loopback upstream and the connection `acme` that signs users in through it (enabled per app by startSdkApp, or by `extra.enabled_clients`). */
export async function startAcme(srv: TestServer, extra: Record<string, unknown> = {}): Promise<Upstream> {
  const up = await startGeneric({ clientId: 'up', clientSecret: 'up-secret', redirectUris: [`${srv.issuer}login/callback`], scopes: 'any' });
  await createConnection(srv, 'acme', {
    authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up', client_secret: 'up-secret',
    token_endpoint_auth_method: 'client_secret_basic', scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) },
  }, extra);
  return up;
}

/** A prompt=none /authorize for the app in this browser: the callback URL says whether the server still has a session. */
export async function silentAuthorize(srv: TestServer, ua: UserAgent, app: SdkApp): Promise<URL> {
  const callback = `${app.url}/callback`;
  const url = new URL('authorize', srv.issuer);
  url.search = new URLSearchParams({ client_id: app.clientId, redirect_uri: callback, response_type: 'code', scope: 'openid', prompt: 'none',
    state: 'silent', code_challenge: 'c'.repeat(43), code_challenge_method: 'S256' }).toString();
  const { stoppedAt, page } = await ua.follow(url.toString(), callback);
  if (!stoppedAt) throw new Error(`prompt=none did not return to the app: ${page?.status} ${page?.text.slice(0, 500)}`);
  return new URL(stoppedAt);
}

/** An app built on Auth0's Express SDK, listening on loopback and registered with the server. */
export interface SdkApp {
  url: string;
  clientId: string;
  clientSecret: string;
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

  // Loaded late: the SDK is CommonJS and require()s jose, an ES module that jest may still be linking at import time.
  const { auth, requiresAuth } = await import('express-openid-connect');
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
    url, clientId, clientSecret, returnTo,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
