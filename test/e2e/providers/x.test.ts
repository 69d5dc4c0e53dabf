/** X (Twitter): PKCE required, HTTP Basic client authentication; the usual mistakes. */
import { startX, type Upstream } from '../../support/upstreams/index.ts';
import { X } from './configs.ts';
import { connect, signIn, startProvider, userOf, variant, type Harness, type Swap } from './harness.ts';

let h: Harness;
let up: Upstream;
let swaps: Swap[];
const { client_id, client_secret } = X.options;
const basic = `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`;
beforeAll(async () => {
  ({ h, up, swaps } = await startProvider([X], startX, (u) => [['https://x.com', u.url], ['https://api.x.com', u.url]]));
});
afterAll(() => h.close());

test('the documented connection signs the user in', async () => {
  const { claims, error } = await signIn(h, { connection: 'x' });
  expect(error).toBeUndefined();
  expect(claims).toMatchObject({ sub: 'oauth2|x|2244994945', name: 'X Dev', nickname: 'XDevelopers', email: 'xdev@example.com', email_verified: true });
  expect(await userOf(h, claims?.sub)).toMatchObject({ picture: 'https://pbs.twimg.example/xdev_normal.jpg' });

  // X got an S256 challenge, a state and space-separated scopes...
  const authorize = up.lastAuthorize!.query;
  expect(authorize).toMatchObject({ client_id, response_type: 'code', scope: 'tweet.read users.read users.email offline.access', code_challenge_method: 'S256' });
  expect(authorize['state']).toBeTruthy();
  // ...then HTTP Basic client authentication, the verifier, and no secret in the body.
  const token = up.lastToken!;
  expect(token.headers['authorization']).toBe(basic);
  expect(token.body).toMatchObject({ grant_type: 'authorization_code', redirect_uri: h.callback, code_verifier: expect.stringMatching(/^[\w-]{43,}$/) as unknown });
  expect(token.body).not.toHaveProperty('client_secret');
});

test('connection_scope adds scopes, space-separated as X requires', async () => {
  const { claims } = await signIn(h, { connection: 'x', connection_scope: 'like.read' });
  expect(claims?.sub).toBe('oauth2|x|2244994945');
  expect(up.lastAuthorize?.query['scope']).toBe('tweet.read users.read users.email offline.access like.read');
});

describe('mistakes', () => {
  test('client_secret_post: X answers 401 unauthorized_client "Missing valid authorization header"', async () => {
    await connect(h, variant(X, 'x-post', (o) => ({ ...o, token_endpoint_auth_method: 'client_secret_post' })), swaps);
    const { error, description } = await signIn(h, { connection: 'x-post' });
    expect(error).toBe('access_denied');
    expect(description).toMatch(/^connection "x-post": the token endpoint answered 401 unauthorized_client \(Missing valid authorization header\)/);
    expect(up.lastToken?.body).toHaveProperty('client_secret');
  });

  // X answers 401 unauthorized_client to a client that authenticated the wrong way: any 401 gets the client-authentication hint.
  test('client_secret_post: the message names token_endpoint_auth_method', async () => {
    await connect(h, variant(X, 'x-post-hint', (o) => ({ ...o, token_endpoint_auth_method: 'client_secret_post' })), swaps);
    const { description } = await signIn(h, { connection: 'x-post-hint' });
    expect(description).toMatch(/token_endpoint_auth_method/);
  });

  test('without pkce_enabled: X shows its own error page (code_challenge is required), the app hears nothing', async () => {
    await connect(h, variant(X, 'x-no-pkce', ({ pkce_enabled: _p, ...o }) => o), swaps);
    const { page, error } = await signIn(h, { connection: 'x-no-pkce' });
    expect(error).toBeUndefined();
    expect([page?.status, page?.text]).toEqual([400, expect.stringContaining('code_challenge is required')]);
  });
});
