import { ACTIVE_CONNECTIONS } from './fixtures.ts';
import { connectionOptions } from '../seed.ts';

/** Registers the bench's apps, API and connections through the Management API, as an admin would. */

export const REDIRECT_URI = 'http://127.0.0.1:9/app/callback';
export const API_AUDIENCE = 'https://api.bench.example/';
export const API_SCOPES = ['read:things', 'write:things'];

export interface BenchApps {
  app: { clientId: string; clientSecret: string };
  m2m: { clientId: string; clientSecret: string };
  connections: string[];
}

async function call(issuer: string, token: string, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${issuer}api/v2${path}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** A Management API token for the admin client. */
export async function adminToken(issuer: string, clientId: string, secret: string): Promise<string> {
  const res = await fetch(`${issuer}oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000),
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience: `${issuer}api/v2/` }),
  });
  const body = (await res.json()) as { access_token?: string; error_description?: string };
  if (!body.access_token) throw new Error(`admin token: ${res.status} ${body.error_description}`);
  return body.access_token;
}

/** The web app (confidential, PKCE), a machine client with a grant for the bench API, and the active connections. */
export async function registerBenchApps(issuer: string, token: string, upstream: string): Promise<BenchApps> {
  const app = await call(issuer, token, 'POST', '/clients', {
    name: 'Bench App', app_type: 'regular_web', callbacks: [REDIRECT_URI], token_endpoint_auth_method: 'client_secret_post',
  });
  const m2m = await call(issuer, token, 'POST', '/clients', { name: 'Bench M2M', app_type: 'non_interactive', token_endpoint_auth_method: 'client_secret_post' });
  await call(issuer, token, 'POST', '/client-grants', { client_id: m2m['client_id'], audience: API_AUDIENCE, scope: API_SCOPES });
  const connections: string[] = [];
  for (let k = 0; k < ACTIVE_CONNECTIONS; k++) {
    const name = `bench-${k}`;
    await call(issuer, token, 'POST', '/connections', {
      name, strategy: 'oauth2', display_name: `Bench ${k}`, enabled_clients: [app['client_id']], options: connectionOptions(upstream, k),
    });
    connections.push(name);
  }
  return {
    app: { clientId: String(app['client_id']), clientSecret: String(app['client_secret']) },
    m2m: { clientId: String(m2m['client_id']), clientSecret: String(m2m['client_secret']) },
    connections,
  };
}
