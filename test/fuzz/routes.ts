/**
 * Every route the fuzz suite drives: the Management API (kept equal to the mounted routes by
 * routes.test.ts, so a new route cannot go unfuzzed) and the token endpoint. Each names a
 * valid body to mutate, so most generated bodies get past the first checks and reach deep.
 */

/** Ids of records the suite creates before fuzzing, substituted for `:id` params now and then. */
export interface Fixtures {
  /** A client the Management routes may change. */
  clientId: string;
  /** A confidential client only the token endpoint uses (so its secret stays known). */
  tokenClientId: string;
  tokenClientSecret: string;
  /** The Management API audience, which the token client holds a grant for. */
  audience: string;
  grantId: string;
  connectionId: string;
  connectionName: string;
}

/** What the suite knows of one route: a valid body to mutate, the query keys it reads, whether fixtures may fill its ids. */
export interface RouteSpec {
  /** A valid body for this route, or undefined when it takes none. */
  body?: (f: Fixtures) => unknown;
  /** Query keys the route reads (others are generated too). */
  query?: readonly string[];
  /** True when a real fixture id may fill `:id` (never for deletes: the fixtures must survive the run). */
  fixtureIds?: boolean;
}

/** One route to fuzz: a mounted route and its spec. */
export interface FuzzRoute extends RouteSpec {
  method: string;
  /** Express pattern, absolute (e.g. /api/v2/clients/:id). */
  path: string;
}

const LIST = ['page', 'per_page', 'include_totals', 'from', 'take', 'fields', 'include_fields'] as const;
const FIELDS = ['fields', 'include_fields'] as const;

const clientBody = () => ({
  name: 'Fuzzed app', app_type: 'regular_web', callbacks: ['https://app.example.com/cb'], allowed_logout_urls: ['https://app.example.com/'],
  web_origins: ['https://app.example.com'], grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'client_secret_post',
  client_metadata: { tier: 'gold' },
});
const options = () => ({
  authorizationURL: 'https://{{ shop }}.idp.example.com/authorize', tokenURL: 'https://{{ shop }}.idp.example.com/token', client_id: 'c', client_secret: 's',
  scope: ['openid', 'email'], authParams: { prompt: 'login' }, customHeaders: { 'X-Tenant': 'a' }, token_response_paths: { access_token: 'data.token' },
  template_params: { shop: { from: 'shop', pattern: '[a-z]+' } }, scripts: { fetchUserProfile: 'function(a, c, cb) { cb(null, { user_id: 1 }); }' },
});

/**
 * Specs of the Management API routes by "METHOD /path" under /api/v2. The fuzz suite drives
 * every route the router mounts; api.test.ts fails when one has no spec here, so a new route
 * cannot go unfuzzed. The user-update, linking and logs routes are those of main's
 * w2-users/logs work, listed ahead of the merge (a spec of a route not mounted is unused).
 */
export const MANAGEMENT_SPECS: Readonly<Record<string, RouteSpec>> = {
  'POST /clients': { body: clientBody },
  'GET /clients': { query: LIST },
  'GET /clients/:id': { query: FIELDS, fixtureIds: true },
  'PATCH /clients/:id': { body: () => ({ ...clientBody(), name: 'Renamed' }), fixtureIds: true },
  'DELETE /clients/:id': {},
  'POST /clients/:id/rotate-secret': {},
  'POST /client-grants': { body: (f) => ({ client_id: f.clientId, audience: 'https://api.example.com/', scope: ['read:things'] }) },
  'GET /client-grants': { query: [...LIST, 'audience', 'client_id'] },
  'PATCH /client-grants/:id': { body: () => ({ scope: ['read:things', 'write:things'] }), fixtureIds: true },
  'DELETE /client-grants/:id': {},
  'POST /connections': { body: () => ({ name: 'fuzzed', strategy: 'oauth2', options: options(), metadata: { a: 'b' } }) },
  'GET /connections': { query: [...LIST, 'strategy', 'name'] },
  'GET /connections/:id': { query: FIELDS, fixtureIds: true },
  'PATCH /connections/:id': { body: (f) => ({ display_name: 'Fuzzed', options: options(), enabled_clients: [f.clientId] }), fixtureIds: true },
  'DELETE /connections/:id': {},
  'GET /connections/:id/clients': { query: ['from', 'take'], fixtureIds: true },
  'PATCH /connections/:id/clients': { body: (f) => [{ client_id: f.clientId, status: true }], fixtureIds: true },
  'GET /users': { query: [...LIST, 'email', 'connection', 'q', 'search_engine'] },
  'GET /users/:id': { query: FIELDS },
  'PATCH /users/:id': { body: () => ({ user_metadata: { theme: 'dark', nested: { a: [1, 2] } }, app_metadata: { plan: 'gold' }, blocked: false, name: 'Fuzzed' }) },
  'DELETE /users/:id': {},
  'POST /users/:id/identities/:connection/refresh': {},
  'POST /users/:id/identities': { body: (f) => ({ provider: 'oauth2', user_id: `oauth2|${f.connectionName}|2` }) },
  'DELETE /users/:id/identities/:provider/:user_id': {},
  'GET /users-by-email': { query: ['email', ...FIELDS] },
  'GET /logs': { query: [...LIST, 'sort', 'q', 'search', 'search_engine'] },
  'GET /logs/:id': {},
  'GET /users/:id/logs': { query: [...LIST, 'sort'] },
  // A made-up jti: revoking it ends no token the suite uses.
  'POST /blacklists/tokens': { body: () => ({ jti: 'fuzzed-jti-0001' }) },
  'GET /blacklists/tokens': { query: ['aud'] },
  'GET /openapi.json': {},
};

/** The token endpoint, in Auth0's JSON dialect and as a form. */
export const TOKEN_ROUTE: FuzzRoute = {
  method: 'POST', path: '/oauth/token',
  body: (f) => ({ grant_type: 'client_credentials', client_id: f.tokenClientId, client_secret: f.tokenClientSecret, audience: f.audience }),
};
