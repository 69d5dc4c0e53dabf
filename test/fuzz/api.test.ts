/**
 * Issue 11 item 9: property-based fuzzing of every Management API route and /oauth/token
 * with malformed, oversized, deeply nested, wrongly typed and hostile bodies, paths, query
 * strings and credentials. For every request: no 5xx, no stack trace or internal path in the
 * answer, and a refused request (4xx) leaves the store exactly as it was.
 *
 * The seed is fixed and printed; replay a failure with FUZZ_SEED=<seed> (and FUZZ_PATH=<path>
 * from fast-check's report). FUZZ_RUNS scales the number of requests.
 */
import fc from 'fast-check';
import { encodedBody, mutatedBody, queryString, segment, text, type Encoded } from './arbitraries.ts';
import { closeAgent, send, type RawRequest, type RawResponse } from './http.ts';
import { mountedRoutes } from './mounted-routes.ts';
import { MANAGEMENT_SPECS, TOKEN_ROUTE, type Fixtures, type FuzzRoute } from './routes.ts';
import { storeSnapshot } from './store-snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const API = '/api/v2';
const specKey = (r: { method: string; path: string }): string => `${r.method} ${r.path.slice(API.length)}`;
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_261_201);
const PATH = process.env['FUZZ_PATH'];
const SCALE = Number(process.env['FUZZ_RUNS'] ?? 1);
const MANAGEMENT_RUNS = Math.round(4_500 * SCALE);
const TOKEN_RUNS = Math.round(1_000 * SCALE);

let srv: TestServer;
let fixtures: Fixtures;
let admin: string;
let narrow: string;
let routes: FuzzRoute[];
let sent = 0;
const statuses = new Map<string, number>();

beforeAll(async () => {
  console.log(`fuzz seed ${SEED}: replay with FUZZ_SEED=${SEED}`);
  // Limits far above the run's own volume: a 429 would stop a request before the code under test sees it.
  srv = await startTestServer({ RATE_LIMIT_MANAGEMENT: '1000000', RATE_LIMIT_MANAGEMENT_AUTH_FAILURES: '1000000', RATE_LIMIT_TOKEN_FAILURES: '1000000', RATE_LIMIT_TOKEN_FAILURES_PER_IP: '1000000' });
  admin = await srv.adminToken();
  narrow = await srv.tokenWith(['read:clients']);
  const client = await srv.api('/clients', { method: 'POST', body: { name: 'Fixture', app_type: 'regular_web', callbacks: ['https://app.example.com/cb'] } });
  const tokenClient = await srv.clientWith([]);
  const grant = await srv.api('/client-grants', { method: 'POST', body: { client_id: (client.body as { client_id: string }).client_id, audience: 'https://fixture.example.com/', scope: ['a'] } });
  const connection = await srv.api('/connections', { method: 'POST', body: { name: 'fixture', strategy: 'oauth2', options: {
    authorizationURL: 'https://idp.example.com/a', tokenURL: 'https://idp.example.com/t', client_id: 'c', client_secret: 's',
    scripts: { fetchUserProfile: 'function(a, c, cb) { cb(null, { user_id: 1 }); }' } } } });
  // Every route the Management router mounts, with its spec (a route without one is fuzzed with generic bodies, and the first test fails).
  routes = mountedRoutes(srv.server.app).filter((r) => r.path.startsWith(API)).map((r) => ({ ...MANAGEMENT_SPECS[specKey(r)], ...r }));
  fixtures = {
    clientId: (client.body as { client_id: string }).client_id, tokenClientId: tokenClient.client_id, tokenClientSecret: tokenClient.client_secret,
    audience: `${srv.issuer}api/v2/`, grantId: (grant.body as { id: string }).id, connectionId: (connection.body as { id: string }).id, connectionName: 'fixture',
  };
}, 60_000);

afterEach(() => {
  // What the requests got: a run where nearly everything is 401 or 404 would prove little.
  console.log(`fuzz: ${sent} requests (seed ${SEED}); answers: ${[...statuses].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}`);
  statuses.clear();
});

afterAll(async () => {
  closeAgent();
  await srv.close();
});

/**
 * A stack frame, a source position, or a file URL: what an answer must never show. A bare
 * "at " is no sign of one: messages say "at most 10 keys".
 */
const STACK = /\n\s+at |\bat [\w$.<>[\]]+ \(|\bat (?:file:|\/)|\.ts:\d+:\d+|file:\/\//;
const INTERNAL = ['/src/', 'node_modules', process.cwd()];

/** Sends one request and checks every rule; throws (naming the request) when one is broken. */
async function check(req: RawRequest): Promise<RawResponse> {
  const before = await storeSnapshot(srv.server.store);
  const res = await send(srv.server.port, req);
  sent++;
  const key = `${req.method} ${res.status}`;
  statuses.set(key, (statuses.get(key) ?? 0) + 1);
  const asked = `${req.path} ${req.body ?? ''}`;
  const what = () => `${req.method} ${req.path.slice(0, 300)} [${req.headers['content-type'] ?? 'no type'}] ${String(req.body).slice(0, 300)} -> ${res.status} ${res.text.slice(0, 500)}`;
  if (res.status >= 500 || res.status < 100) throw new Error(`server error: ${what()}`);
  if (STACK.test(res.text) && !STACK.test(asked)) throw new Error(`stack trace in the answer: ${what()}`);
  for (const marker of INTERNAL) if (res.text.includes(marker) && !asked.includes(marker)) throw new Error(`internal path ${marker} in the answer: ${what()}`);
  if (res.status >= 400 && (await storeSnapshot(srv.server.store)) !== before) throw new Error(`a refused request changed the store: ${what()}`);
  return res;
}

// No DELETE: a route whose :id may be a fixture would delete it, and the rest of the run would see only 404s.
const METHODS = fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'OPTIONS', 'HEAD');

function authorization(): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${admin}`) },
    { weight: 1, arbitrary: fc.constant(`Bearer ${narrow}`) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, 'Bearer', 'Bearer ', `bearer ${admin}`, `Bearer ${admin}x`, `Bearer ${admin.split('.').slice(0, 2).join('.')}.`,
      'Basic YTpi', `Bearer ${'a'.repeat(8_000)}`, 'Bearer e30.e30.', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.') },
    { weight: 1, arbitrary: text.map((t) => `Bearer ${t.replace(/[^\x21-\x7e]/g, '')}`) },
  );
}

function headers(encoded: Encoded, auth: string | undefined): Record<string, string> {
  return {
    ...(auth !== undefined ? { authorization: auth } : {}),
    ...(encoded.contentType ? { 'content-type': encoded.contentType } : {}),
    ...(encoded.encoding ? { 'content-encoding': encoded.encoding } : {}),
  };
}

/** A request for one route: its own method mostly, its params filled, its body mutated, a query appended. */
function requestFor(route: FuzzRoute, f: Fixtures): fc.Arbitrary<RawRequest> {
  const fixtureFor = (name: string): string | undefined => {
    if (!route.fixtureIds) return name === 'connection' ? f.connectionName : undefined;
    if (route.path.startsWith(`${API}/clients/`)) return f.clientId;
    if (route.path.startsWith(`${API}/client-grants/`)) return f.grantId;
    if (route.path.startsWith(`${API}/connections/`)) return f.connectionId;
    return undefined;
  };
  const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');
  const params = fc.tuple(...names.map((n) => segment(fixtureFor(n))));
  const body = route.body ? encodedBody(mutatedBody(route.body(f)), route === TOKEN_ROUTE) : encodedBody(fc.oneof(fc.constant({}), mutatedBody({})));
  const method = fc.oneof({ weight: 9, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: METHODS });
  const tail = fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 6, arbitrary: fc.constantFrom('/', '//', '/extra', '%2F', '/..', ';x') });
  return fc.record({ params, body, query: queryString(route.query ?? []), method, tail, auth: authorization() }).map(({ params: values, body: b, query, method: m, tail: t, auth }) => {
    let i = 0;
    const path = route.path.replace(/:(\w+)/g, () => values[i++] ?? '');
    return { method: m, path: `${path}${t}${query ? `?${query}` : ''}`, headers: headers(b, route === TOKEN_ROUTE ? tokenAuth(auth, f) : auth), ...(b.body !== undefined ? { body: b.body } : {}) };
  });
}

/** The token endpoint sees client authentication, not bearer tokens: sometimes HTTP Basic, good or bad. */
function tokenAuth(auth: string | undefined, f: Fixtures): string | undefined {
  if (!auth || auth.length % 3 === 0) return undefined;
  return auth.length % 3 === 1 ? `Basic ${Buffer.from(`${f.tokenClientId}:${f.tokenClientSecret}`).toString('base64')}` : `Basic ${Buffer.from(auth).toString('base64')}`;
}

const options = (runs: number) => ({ seed: SEED, numRuns: runs, endOnFailure: true, ...(PATH ? { path: PATH } : {}) });

test('the suite drives every mounted Management API route, each from a valid body, and the token endpoint', () => {
  expect(routes.length).toBeGreaterThan(15);
  expect(routes.filter((r) => !MANAGEMENT_SPECS[specKey(r)]).map(specKey)).toEqual([]);
  expect(mountedRoutes(srv.server.app)).toContainEqual({ method: TOKEN_ROUTE.method, path: TOKEN_ROUTE.path });
});

test('every Management API route: no 5xx, no stack or internal path, refused requests change nothing', async () => {
  const request = fc.constantFrom(...routes).chain((route) => requestFor(route, fixtures));
  await fc.assert(fc.asyncProperty(request, async (req) => {
    await check(req);
  }), options(MANAGEMENT_RUNS));
  // Hostile bodies named __proto__ and constructor.prototype: nothing leaked into every object.
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  expect((await send(srv.server.port, { method: 'GET', path: '/healthz', headers: {} })).status).toBe(200);
}, 120_000 * SCALE);

test('/oauth/token: no 5xx, no stack or internal path, refused requests change nothing', async () => {
  await fc.assert(fc.asyncProperty(requestFor(TOKEN_ROUTE, fixtures), async (req) => {
    await check(req);
  }), options(TOKEN_RUNS));
  const ok = await check({ method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TOKEN_ROUTE.body?.(fixtures)) });
  // The unmutated body still works: the mutations started from a request that succeeds.
  expect([ok.status, ok.text]).toEqual([200, expect.stringContaining('"access_token"')]);
}, 60_000 * SCALE);
