import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config/load.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { startServer, type RunningServer } from '../../src/server.ts';

export { freePort } from './ports.ts';
import { freePort } from './ports.ts';
import { documentLoader, hookGlobalFetch, watchOrigin } from './openapi-hook.ts';

export const ADMIN_ID = 'test-admin-client';
export const ADMIN_SECRET = 'test-admin-secret-0123456789abcdef';

export interface TestServer {
  url: string;
  issuer: string;
  config: Config;
  dataDir: string;
  server: RunningServer;
  /** A Management API token holding every scope (cached). */
  adminToken(): Promise<string>;
  /** A new machine client granted only `scopes` at the Management API. */
  clientWith(scopes: string[]): Promise<{ client_id: string; client_secret: string }>;
  /** A Management API token holding only `scopes` (from a new machine client). */
  tokenWith(scopes: string[]): Promise<string>;
  /** fetch against the Management API with the admin token. */
  api(path: string, init?: { method?: string; body?: unknown; token?: string }): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** Environment for a server on a fresh temporary DATA_DIR. */
export async function testEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const dataDir = overrides['DATA_DIR'] ?? (await mkdtemp(join(tmpdir(), 'idp-test-')));
  const port = overrides['PORT'] ?? String(await freePort());
  return {
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: port, ISSUER: `http://127.0.0.1:${port}/`, DATA_DIR: dataDir,
    SECRETS_KEY: randomBytes(32).toString('base64'), ADMIN_CLIENT_ID: ADMIN_ID, ADMIN_CLIENT_SECRET: ADMIN_SECRET,
    LOG_LEVEL: 'silent', ALLOW_INSECURE_UPSTREAMS: 'true', WORKERS: '1', ...overrides,
  };
}

/** Starts the real server in this process on loopback with a temporary embedded store. */
export async function startTestServer(overrides: Record<string, string> = {}): Promise<TestServer> {
  const env = await testEnv(overrides);
  const config = loadConfig(env);
  const server = await startServer(config, createLogger('silent'));
  // Every Management API answer this file's fetch gets from this server is checked against its openapi.json (TLS servers: see management-sdk.ts).
  if (server.url.startsWith('http:')) {
    const load = documentLoader(hookGlobalFetch(), server.url);
    watchOrigin(server.url, load);
    watchOrigin(config.issuer, load);
  }
  let token: string | undefined;
  const self: TestServer = {
    url: server.url,
    issuer: config.issuer,
    config,
    dataDir: config.dataDir,
    server,
    async adminToken() {
      token ??= await clientCredentialsToken(`${server.url}/`, ADMIN_ID, ADMIN_SECRET, `${config.issuer}api/v2/`);
      return token;
    },
    async clientWith(scopes) {
      const res = await self.api('/clients', { method: 'POST', body: { name: `m2m ${scopes.join(' ')}`, app_type: 'non_interactive' } });
      const c = res.body as { client_id: string; client_secret: string };
      await self.api('/client-grants', { method: 'POST', body: { client_id: c.client_id, audience: `${config.issuer}api/v2/`, scope: scopes } });
      return c;
    },
    async tokenWith(scopes) {
      const c = await self.clientWith(scopes);
      return clientCredentialsToken(config.issuer, c.client_id, c.client_secret, `${config.issuer}api/v2/`);
    },
    async api(path, init = {}) {
      // The listening URL, not the issuer: behind a (pretend) proxy the two differ.
      const res = await fetch(`${server.url}/api/v2${path}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${init.token ?? (await self.adminToken())}`,
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    async close() {
      await server.close();
      if (!overrides['DATA_DIR']) await rm(config.dataDir, { recursive: true, force: true });
    },
  };
  return self;
}

/** Gets a client-credentials access token (raw HTTP, Auth0 JSON dialect). */
export async function clientCredentialsToken(issuer: string, clientId: string, secret: string, audience: string, scope?: string): Promise<string> {
  const res = await fetch(`${issuer}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience, ...(scope ? { scope } : {}) }),
  });
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!body.access_token) throw new Error(`token request failed: ${res.status} ${body.error}: ${body.error_description}`);
  return body.access_token;
}
