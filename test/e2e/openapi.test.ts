import express, { Router } from 'express';
import request from 'supertest';
import { mountedRoutes } from '../support/express-routes.ts';
import { documentLoader, hookGlobalFetch, watchOrigin } from '../support/openapi-hook.ts';
import { responseChecker } from '../support/openapi-check.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** GET /api/v2/openapi.json: the document, the routes it must match, and the check the suite runs on every answer. */
let srv: TestServer;
let doc: Record<string, unknown>;
type Operation = { security: { bearer: string[] }[]; 'x-scopes': string[]; parameters: { name: string; in: string }[]; requestBody?: unknown; responses: Record<string, unknown> };
const op = (path: string, method: string): Operation => (doc['paths'] as Record<string, Record<string, Operation>>)[path]?.[method] as Operation;

beforeAll(async () => {
  srv = await startTestServer();
  const res = await fetch(`${srv.url}/api/v2/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Record<string, unknown>;
});
afterAll(() => srv.close());

test('the document is served without a token, as OpenAPI 3.1 with the bearer scheme and each operation\'s scope', () => {
  expect(doc['openapi']).toBe('3.1.0');
  expect(doc['servers']).toEqual([{ url: `${srv.issuer}api/v2` }]);
  expect(doc['components']).toMatchObject({ securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } });
  expect(op('/clients/{id}', 'patch').security).toEqual([{ bearer: ['update:clients'] }]);
  expect(op('/users/{id}/logs', 'get')['x-scopes']).toEqual(['read:logs', 'read:users']);
  expect(op('/openapi.json', 'get').security).toEqual([]);
  expect(op('/users', 'get').parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['page', 'per_page', 'include_totals', 'q', 'email']));
  expect(op('/users/{id}/identities/{provider}/{user_id}', 'delete').parameters.filter((p) => p.in === 'path').map((p) => p.name))
    .toEqual(['id', 'provider', 'user_id']);
  // Request bodies come from the zod schemas that validate them.
  expect(op('/connections', 'post').requestBody).toMatchObject({
    content: { 'application/json': { schema: { required: expect.arrayContaining(['name', 'strategy', 'options']), additionalProperties: false } } },
  });
  expect(op('/clients', 'post').responses['201']).toMatchObject({ content: { 'application/json': { schema: { properties: { client_id: { type: 'string' } } } } } });
  expect(op('/clients/{id}', 'delete').responses['default']).toMatchObject({ content: { 'application/json': { schema: { required: ['statusCode', 'error', 'message', 'errorCode'] } } } });
});

test('every route express mounts under /api/v2 is in the document, and every documented operation is mounted', () => {
  const mounted = mountedRoutes(srv.server.app).filter((r) => r.split(' ')[1]?.startsWith('/api/v2/'))
    .map((r) => r.replace(' /api/v2', ' ').replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')).sort();
  const documented = Object.entries(doc['paths'] as Record<string, Record<string, unknown>>)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`)).sort();
  expect(mounted.length).toBeGreaterThan(20);
  expect(mounted).toEqual(documented);
});

test('a documented operation answers 401 without a token, not 404 (it is really mounted)', async () => {
  for (const [path, item] of Object.entries(doc['paths'] as Record<string, Record<string, Operation>>)) {
    for (const method of Object.keys(item)) {
      if (path === '/openapi.json') continue;
      const res = await fetch(`${srv.url}/api/v2${path.replace(/\{[^}]+\}/g, 'x')}`, { method: method.toUpperCase() });
      expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 401`);
    }
  }
});

describe('the response check fails on a wrong answer', () => {
  const url = (path: string) => new URL(`${srv.url}/api/v2${path}`);
  const goodClient = {
    client_id: 'c1', name: 'app', app_type: 'spa', is_first_party: true, callbacks: [], allowed_logout_urls: [], allowed_origins: [], web_origins: [],
    grant_types: ['authorization_code'], token_endpoint_auth_method: 'none', require_pkce: true, client_metadata: {}, created_at: 'x', updated_at: 'x',
    global: false, oidc_conformant: true, jwt_configuration: { alg: 'RS256' },
  };

  test('a matching answer passes', () => {
    expect(responseChecker(doc).check('GET', url('/clients/c1'), 200, JSON.stringify(goodClient))).toBeUndefined();
    expect(responseChecker(doc).check('GET', url('/clients'), 200, JSON.stringify([goodClient]))).toBeUndefined();
    expect(responseChecker(doc).check('DELETE', url('/clients/c1'), 204, '')).toBeUndefined();
  });

  test('a leaked sealed secret, a missing field, a wrong type: each names the path and the mismatch', () => {
    const check = responseChecker(doc);
    expect(check.check('GET', url('/clients/c1'), 200, JSON.stringify({ ...goodClient, client_secret_enc: 'v1.sealed' })))
      .toMatch(/GET \/clients\/c1 answered 200 not matching \/clients\/\{id\}: .*additionalProperty.*client_secret_enc/);
    const { name: _n, ...noName } = goodClient;
    expect(check.check('PATCH', url('/clients/c1'), 200, JSON.stringify(noName))).toMatch(/PATCH \/clients\/c1 .*must have required property 'name'/);
    // With fields= the answer is a subset: a missing field is fine, a wrong type is not.
    expect(check.check('GET', url('/clients/c1?fields=client_id'), 200, JSON.stringify({ client_id: 'c1' }))).toBeUndefined();
    expect(check.check('GET', url('/clients/c1?fields=client_id'), 200, JSON.stringify({ client_id: 1 }))).toMatch(/\/client_id must be string/);
  });

  test('secrets in connection options and sealed identity tokens are refused', () => {
    const check = responseChecker(doc);
    const connection = { id: 'con_1', name: 'acme', strategy: 'oauth2', options: { client_secret: 's3cret' }, enabled_clients: [], realms: [],
      is_domain_connection: false, show_as_button: true, metadata: {} };
    expect(check.check('GET', url('/connections/con_1'), 200, JSON.stringify(connection))).toMatch(/\/options\/client_secret/);
    const user = { user_id: 'oauth2|acme|1', identities: [{ provider: 'oauth2', connection: 'acme', user_id: 'acme|1', isSocial: true, access_token_enc: 'v1.x' }],
      user_metadata: {}, app_metadata: {}, created_at: 'x', updated_at: 'x', logins_count: 1 };
    expect(check.check('GET', url('/users/oauth2%7Cacme%7C1'), 200, JSON.stringify(user))).toMatch(/\/identities\/0 .*access_token_enc/);
  });

  test('errors, bodies where none belong, and undocumented paths', () => {
    const check = responseChecker(doc);
    expect(check.check('GET', url('/clients/x'), 404, JSON.stringify({ statusCode: 404, error: 'Not Found', message: 'm', errorCode: 'inexistent_resource' }))).toBeUndefined();
    expect(check.check('GET', url('/clients/x'), 404, JSON.stringify({ error: 'not_found' }))).toMatch(/GET \/clients\/x answered 404 .*statusCode/);
    expect(check.check('DELETE', url('/clients/c1'), 204, '{}')).toMatch(/body where the document says none/);
    expect(check.check('GET', url('/nowhere'), 200, '{}')).toMatch(/GET \/nowhere answered 200 but is not in the OpenAPI document/);
    expect(check.check('GET', url('/nowhere'), 404, JSON.stringify({ statusCode: 404, error: 'Not Found', message: 'm', errorCode: 'not_found' }))).toBeUndefined();
  });
});

test('the suite\'s fetch hook throws on an answer that does not match the served document', async () => {
  const wrong = structuredClone(doc) as { paths: Record<string, Record<string, Operation>> };
  (wrong.paths['/clients']?.['get'] as Operation).responses['200'] = { description: 'wrong', content: { 'application/json': { schema: { type: 'string' } } } };
  const unchecked = hookGlobalFetch();
  watchOrigin(srv.url, async () => wrong);
  try {
    await expect(srv.api('/clients')).rejects.toThrow(/OpenAPI check failed: GET \/clients answered 200 not matching \/clients: \(root\) must be string/);
    // supertest's answers go through the same check.
    await expect(request(srv.url).get('/api/v2/clients').set('authorization', `Bearer ${await srv.adminToken()}`).expect(200))
      .rejects.toThrow(/OpenAPI check failed: GET \/clients answered 200 not matching/);
  } finally {
    watchOrigin(srv.url, documentLoader(unchecked, srv.url));
  }
  expect((await srv.api('/clients')).status).toBe(200);
});

test('the route walk sees routes of routers mounted at a path, as a hand-mounted one would be', () => {
  const app = express();
  const sub = Router();
  sub.post('/tokens', (_req, res) => void res.end());
  const api = Router();
  api.use('/blacklists', sub);
  api.get('/plain', (_req, res) => void res.end());
  app.use('/api/v2', api);
  expect(mountedRoutes(app).sort()).toEqual(['get /api/v2/plain', 'post /api/v2/blacklists/tokens']);
});
