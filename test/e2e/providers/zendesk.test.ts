/** Zendesk-style: URLs on the customer's subdomain, fixed (template_vars) or per login (template_params); JSON token body. */
import { startSubdomain, type SubdomainUpstream } from '../../support/upstreams/index.ts';
import { ZENDESK, ZENDESK_PER_LOGIN } from './configs.ts';
import { connect, signIn, startProvider, userOf, variant, type Harness, type Swap } from './harness.ts';

let h: Harness;
let up: SubdomainUpstream;
let swaps: Swap[];
const { client_id, client_secret } = ZENDESK.options;
beforeAll(async () => {
  // https://<sub>.zendesk.com → http://<sub>.localhost:PORT (one emulator routes by Host).
  ({ h, up, swaps } = await startProvider([ZENDESK, ZENDESK_PER_LOGIN], (r) => startSubdomain({ ...r, tenants: ['acme', 'globex'] }),
    (u) => [['https://', 'http://'], ['.zendesk.com', `.localhost:${u.port}`]]));
});
afterAll(() => h.close());

test('fixed subdomain (template_vars): every request goes to acme, the code exchange is JSON', async () => {
  const { claims, error, ua } = await signIn(h, { connection: 'zendesk' });
  expect(error).toBeUndefined();
  expect(claims).toMatchObject({ sub: 'oauth2|zendesk|acme:35436', name: 'Johnny Agent', email: 'johnny@example.com', email_verified: true });
  expect(await userOf(h, claims?.sub)).toMatchObject({ zendesk_subdomain: 'acme', zendesk_role: 'agent' });

  expect(ua.visited.map((p) => p.url)).toContainEqual(expect.stringMatching(new RegExp(`^${up.tenantUrl('acme')}/oauth/authorizations/new\\?`)));
  expect(up.lastAuthorize?.query).toMatchObject({ client_id, scope: 'users:read', response_type: 'code', redirect_uri: h.callback });
  const token = up.lastToken!;
  expect(token.headers['host']).toBe(up.hostOf('acme'));
  expect([token.bodyType, token.headers['content-type']]).toEqual(['json', 'application/json']);
  expect(token.body).toMatchObject({ grant_type: 'authorization_code', client_id, client_secret, redirect_uri: h.callback });
  expect(up.lastProfile?.headers['host']).toBe(up.hostOf('acme'));
});

test('per-login subdomain (template_params): the app names the account with zendesk_subdomain', async () => {
  const { claims } = await signIn(h, { connection: 'zendesk-customer', zendesk_subdomain: 'globex' });
  expect(claims?.sub).toBe('oauth2|zendesk-customer|globex:35436');
  expect([up.lastAuthorize, up.lastToken, up.lastProfile].map((r) => r?.headers['host'])).toEqual(Array(3).fill(up.hostOf('globex')));
  expect(await userOf(h, claims?.sub)).toMatchObject({ zendesk_subdomain: 'globex' });
});

test('per-login with a default: a template_vars entry of the same name is used when the app sends none', async () => {
  await connect(h, variant(ZENDESK_PER_LOGIN, 'zendesk-default', (o) => ({ ...o, template_vars: { subdomain: 'acme' } })), swaps);
  expect((await signIn(h, { connection: 'zendesk-default' })).claims?.sub).toBe('oauth2|zendesk-default|acme:35436');
  expect((await signIn(h, { connection: 'zendesk-default', zendesk_subdomain: 'globex' })).claims?.sub).toBe('oauth2|zendesk-default|globex:35436');
});

describe('refused before leaving', () => {
  test.each(['evil.com/x', 'a.b', 'evil.com#', 'acme.evil', '-acme', 'x'.repeat(64)])('a hostile subdomain %j is invalid_request; nothing is sent upstream', async (value) => {
    const before = up.requests.length;
    const { error, description } = await signIn(h, { connection: 'zendesk-customer', zendesk_subdomain: value });
    expect(error).toBe('invalid_request');
    expect(description).toBe('connection "zendesk-customer": the /authorize parameter "zendesk_subdomain" has characters that are not allowed (letters, digits and inner hyphens only)');
    expect(up.requests.length).toBe(before);
  });

  test('no subdomain at all is invalid_request naming the parameter', async () => {
    const { error, description } = await signIn(h, { connection: 'zendesk-customer' });
    expect(error).toBe('invalid_request');
    expect(description).toBe('connection "zendesk-customer" needs the /authorize parameter "zendesk_subdomain" (it fills {{ subdomain }} in its URLs)');
  });
});

describe('mistakes', () => {
  test('a subdomain that is not a Zendesk account: Zendesk\'s 404 page, the app hears nothing', async () => {
    const { page, error } = await signIn(h, { connection: 'zendesk-customer', zendesk_subdomain: 'umbrella' });
    expect(error).toBeUndefined();
    expect([page?.status, page?.text]).toEqual([404, expect.stringContaining('The page you were looking for doesn')]);
  });

  test('HTTP Basic client authentication: Zendesk answers 401 invalid_client, the message names token_endpoint_auth_method', async () => {
    await connect(h, variant(ZENDESK, 'zendesk-basic', (o) => ({ ...o, token_endpoint_auth_method: 'client_secret_basic' })), swaps);
    const { error, description } = await signIn(h, { connection: 'zendesk-basic' });
    expect(error).toBe('access_denied');
    expect(description).toMatch(/^connection "zendesk-basic": the token endpoint answered 401 invalid_client \(Client authentication failed/);
    expect(description).toMatch(/check client_id and client_secret \(and token_endpoint_auth_method: body or HTTP Basic\)$/);
  });
});
