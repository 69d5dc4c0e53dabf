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

export interface FuzzRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Express pattern under /api/v2 (or the absolute path for /oauth/token). */
  path: string;
  /** A valid body for this route, or undefined when it takes none. */
  body?: (f: Fixtures) => unknown;
  /** Query keys the route reads (others are generated too). */
  query?: readonly string[];
  /** True when a real fixture id may fill `:id` (never for deletes: the fixtures must survive the run). */
  fixtureIds?: boolean;
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

export const MANAGEMENT_ROUTES: readonly FuzzRoute[] = [
  { method: 'POST', path: '/clients', body: clientBody },
  { method: 'GET', path: '/clients', query: LIST },
  { method: 'GET', path: '/clients/:id', query: FIELDS, fixtureIds: true },
  { method: 'PATCH', path: '/clients/:id', body: () => ({ ...clientBody(), name: 'Renamed' }), fixtureIds: true },
  { method: 'DELETE', path: '/clients/:id' },
  { method: 'POST', path: '/clients/:id/rotate-secret' },
  { method: 'POST', path: '/client-grants', body: (f) => ({ client_id: f.clientId, audience: 'https://api.example.com/', scope: ['read:things'] }) },
  { method: 'GET', path: '/client-grants', query: [...LIST, 'audience', 'client_id'] },
  { method: 'PATCH', path: '/client-grants/:id', body: () => ({ scope: ['read:things', 'write:things'] }), fixtureIds: true },
  { method: 'DELETE', path: '/client-grants/:id' },
  { method: 'POST', path: '/connections', body: () => ({ name: 'fuzzed', strategy: 'oauth2', options: options(), metadata: { a: 'b' } }) },
  { method: 'GET', path: '/connections', query: [...LIST, 'strategy', 'name'] },
  { method: 'GET', path: '/connections/:id', query: FIELDS, fixtureIds: true },
  { method: 'PATCH', path: '/connections/:id', body: (f) => ({ display_name: 'Fuzzed', options: options(), enabled_clients: [f.clientId] }), fixtureIds: true },
  { method: 'DELETE', path: '/connections/:id' },
  { method: 'GET', path: '/connections/:id/clients', query: ['from', 'take'], fixtureIds: true },
  { method: 'PATCH', path: '/connections/:id/clients', body: (f) => [{ client_id: f.clientId, status: true }], fixtureIds: true },
  { method: 'GET', path: '/users', query: [...LIST, 'email', 'connection', 'q', 'search_engine'] },
  { method: 'GET', path: '/users/:id', query: FIELDS },
  { method: 'DELETE', path: '/users/:id' },
  { method: 'POST', path: '/users/:id/identities/:connection/refresh' },
  { method: 'GET', path: '/users-by-email', query: ['email', ...FIELDS] },
];

/** The token endpoint, in Auth0's JSON dialect and as a form. */
export const TOKEN_ROUTE: FuzzRoute = {
  method: 'POST', path: '/oauth/token',
  body: (f) => ({ grant_type: 'client_credentials', client_id: f.tokenClientId, client_secret: f.tokenClientSecret, audience: f.audience }),
};
