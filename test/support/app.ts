import * as client from 'openid-client';
import type { TestServer } from './server.ts';
import type { UserAgent } from './user-agent.ts';

/** A relying party: a client registered through the Management API, driven by openid-client. */
export interface TestApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  config: client.Configuration;
}

/** Registers a regular web app and discovers the server with openid-client. */
export async function registerApp(srv: TestServer, overrides: Record<string, unknown> = {},
  // By default nothing listens there: the flow stops when the user agent is sent to it.
  redirectUri = 'http://127.0.0.1:65530/app/callback'): Promise<TestApp> {
  const res = await srv.api('/clients', { method: 'POST', body: { name: 'Test App', app_type: 'regular_web', callbacks: [redirectUri], ...overrides } });
  if (res.status !== 201) throw new Error(`cannot create app: ${JSON.stringify(res.body)}`);
  const body = res.body as { client_id: string; client_secret: string };
  const config = await client.discovery(new URL(srv.issuer), body.client_id, body.client_secret, undefined, { execute: [client.allowInsecureRequests] });
  return { clientId: body.client_id, clientSecret: body.client_secret, redirectUri, config };
}

export interface LoginOutcome {
  /** The app's callback URL the browser ended at. */
  callback: URL;
  tokens?: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
}

/** The app's authorization request (PKCE S256, a fresh state), with `params` added. */
export async function authorizationRequest(app: TestApp, params: Record<string, string> = {}): Promise<{ url: string; verifier: string; state: string }> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(app.config, {
    redirect_uri: app.redirectUri, scope: 'openid profile email', state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params,
  });
  return { url: url.toString(), verifier, state };
}

/** Runs the whole browser flow from the app's authorization URL; exchanges the code when there is one. */
export async function login(app: TestApp, ua: UserAgent, params: Record<string, string> = {}): Promise<LoginOutcome> {
  const { url, verifier, state } = await authorizationRequest(app, params);
  const { stoppedAt, page } = await ua.follow(url, app.redirectUri);
  if (!stoppedAt) throw new Error(`the flow did not reach the app: ${page?.status} ${page?.url}\n${page?.text.slice(0, 2000)}`);
  const callback = new URL(stoppedAt);
  if (!callback.searchParams.get('code')) return { callback };
  const tokens = await client.authorizationCodeGrant(app.config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  return { callback, tokens };
}
