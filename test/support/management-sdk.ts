import { createHash, randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { ManagementClient } from 'auth0';
import { makeTestCert } from './tls.ts';
import { checkedFetch, documentLoader, hookSupertest, watchOrigin } from './openapi-hook.ts';
import { ADMIN_ID, ADMIN_SECRET, freePort, startTestServer, type TestServer } from './server.ts';
import type { UserAgent } from './user-agent.ts';

/**
 * The server as the official Auth0 Node SDK (`auth0` package) needs it. The SDK only speaks
 * `https://<domain>/api/v2`, so the server runs TLS itself on loopback with a test
 * certificate; `fetch` carries that certificate as the trusted CA (through node:https, since
 * the built-in fetch takes no CA), for the SDK's token request, every call, and code exchanges.
 */
export interface SdkServer {
  srv: TestServer;
  ca: Buffer;
  /** host:port, what the SDK calls the domain. */
  domain: string;
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** A Management SDK client authenticated as the admin client. */
  sdk(): ManagementClient;
  /** A Management API token: the admin's (every scope), or one holding only `scopes` (from a new machine client). */
  token(scopes?: string[]): Promise<string>;
}

/** Starts the test server on TLS for the SDK. */
export async function startSdkServer(overrides: Record<string, string> = {}): Promise<SdkServer> {
  const cert = makeTestCert();
  const ca = cert.cert;
  const port = await freePort();
  const domain = `127.0.0.1:${port}`;
  const srv = await startTestServer({ PORT: String(port), ISSUER: `https://${domain}/`, TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile, ...overrides });
  /** A fetch that trusts the test CA: the request is normalized by `Request`, sent with node:https. */
  const rawFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
    return new Promise((resolve, reject) => {
      const out = httpsRequest(req.url, { method: req.method, headers: Object.fromEntries(req.headers), ca, signal: req.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          const status = res.statusCode ?? 500;
          resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers }));
        });
      });
      out.on('error', reject);
      out.end(body);
    });
  };
  // The SDK's calls and the tests' own go through the check: every Management API answer must match the served openapi.json.
  watchOrigin(srv.url, documentLoader(rawFetch, srv.url));
  watchOrigin(srv.issuer, documentLoader(rawFetch, srv.url));
  const fetchWithCa = checkedFetch(rawFetch);
  hookSupertest();
  const sdk = () => new ManagementClient({ domain, clientId: ADMIN_ID, clientSecret: ADMIN_SECRET, fetch: fetchWithCa, maxRetries: 0 });
  const audience = `${srv.issuer}api/v2/`;
  const clientToken = async (clientId: string, clientSecret: string): Promise<string> => {
    const res = await fetchWithCa(`${srv.issuer}oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience }) });
    const body = (await res.json()) as TokenAnswer;
    if (!body.access_token) throw new Error(`token request failed: ${res.status} ${body.error}: ${body.error_description}`);
    return body.access_token;
  };
  return {
    srv, ca, domain, fetch: fetchWithCa, sdk,
    async token(scopes) {
      if (!scopes) return clientToken(ADMIN_ID, ADMIN_SECRET);
      const c = await sdk().clients.create({ name: `m2m ${scopes.join(' ')}`, app_type: 'non_interactive' });
      await sdk().clientGrants.create({ client_id: c.client_id!, audience, scope: scopes });
      return clientToken(c.client_id!, c.client_secret!);
    },
  };
}

/** A regular web app registered through the SDK. */
export interface SdkApp { clientId: string; clientSecret: string; redirectUri: string }

/** Tokens of a code exchange or a refresh (the raw JSON answer). */
export type TokenAnswer = { access_token?: string; refresh_token?: string; id_token?: string; error?: string; error_description?: string };

/** Registers a first-party regular web app that may refresh. */
export async function registerSdkApp(s: SdkServer, redirectUri = 'http://127.0.0.1:65530/app/callback'): Promise<SdkApp> {
  const c = await s.sdk().clients.create({ name: 'sdk login app', app_type: 'regular_web', callbacks: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'] });
  return { clientId: c.client_id!, clientSecret: c.client_secret!, redirectUri };
}

/** POST /oauth/token as the app (client_secret_post). */
export async function tokenRequest(s: SdkServer, app: SdkApp, params: Record<string, string>): Promise<{ status: number; body: TokenAnswer }> {
  const res = await s.fetch(`${s.srv.issuer}oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: app.clientId, client_secret: app.clientSecret, ...params }).toString(),
  });
  return { status: res.status, body: (await res.json()) as TokenAnswer };
}

/** The whole browser flow through `connection` (PKCE S256); the code is exchanged when the app got one. */
export async function sdkLogin(s: SdkServer, app: SdkApp, ua: UserAgent, connection: string, scope = 'openid profile email offline_access'):
  Promise<{ callback: URL; tokens?: TokenAnswer }> {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${s.srv.issuer}authorize`);
  for (const [k, v] of Object.entries({ client_id: app.clientId, response_type: 'code', redirect_uri: app.redirectUri, scope, connection,
    state: randomBytes(12).toString('base64url'), code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' })) {
    url.searchParams.set(k, v);
  }
  const { stoppedAt, page } = await ua.follow(url.toString(), app.redirectUri);
  if (!stoppedAt) throw new Error(`the flow did not reach the app: ${page?.status} ${page?.url}\n${page?.text.slice(0, 2000)}`);
  const callback = new URL(stoppedAt);
  const code = callback.searchParams.get('code');
  if (!code) return { callback };
  const { body } = await tokenRequest(s, app, { grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, code_verifier: verifier });
  return { callback, tokens: body };
}
