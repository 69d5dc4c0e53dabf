import { registerApp, type TestApp } from './app.ts';
import { userinfoScript } from './connections.ts';
import { startTestServer, type TestServer } from './server.ts';
import { startGeneric, type Upstream } from './upstreams/index.ts';

/** A server, a generic loopback upstream (client `up` / `up-secret`) and one registered app. */
export interface LoginWorld { srv: TestServer; up: Upstream; app: TestApp }

/** Options of a connection to the world's upstream (basic client auth, a userinfo script), with `extra` over them. */
export const upstreamOptions = (up: Upstream, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up', client_secret: 'up-secret',
  token_endpoint_auth_method: 'client_secret_basic', scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) }, ...extra,
});

/** Starts the world: `env` for the server, `app` fields for the registered application. */
export async function startLoginWorld(env: Record<string, string> = {}, app: Record<string, unknown> = {}): Promise<LoginWorld> {
  const srv = await startTestServer(env);
  const up = await startGeneric({ clientId: 'up', clientSecret: 'up-secret', redirectUris: [`${srv.issuer}login/callback`], scopes: 'any' });
  return { srv, up, app: await registerApp(srv, app) };
}

/** Stops the upstream and the server. */
export async function stopLoginWorld(world: LoginWorld): Promise<void> {
  await world.up.close();
  await world.srv.close();
}
