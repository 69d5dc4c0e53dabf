/** Microsoft identity platform: tenant in the path (fixed or per login), national cloud by a Locoia-style condition. */
import { startMicrosoft, type MicrosoftUpstream } from '../../support/upstreams/index.ts';
import { MICROSOFT } from './configs.ts';
import { connect, signIn, startProvider, variant, type Harness, type Swap } from './harness.ts';

let h: Harness;
let up: MicrosoftUpstream;
let swaps: Swap[];
const { client_id, client_secret } = MICROSOFT.options;
const MEGAN = 'oauth2|microsoft|48d31887-5fad-4d73-a9f5-3c356e68a038';
beforeAll(async () => {
  // One emulator plays both clouds; the Host header tells which one a request was meant for. The port is added
  // after {% endif %} here; a port inside each branch works too (see the last test).
  ({ h, up, swaps } = await startProvider([MICROSOFT], startMicrosoft, (u) => [
    ['https://', 'http://'],
    ['login.microsoftonline.us', 'login-usgov.localhost'],
    ['login.microsoftonline.com', 'login.localhost'],
    ['{% endif %}/', `{% endif %}:${u.port}/`],
    ['graph.microsoft.us', `graph-usgov.localhost:${u.port}`],
    ['graph.microsoft.com', `graph.localhost:${u.port}`],
  ]));
});
afterAll(() => h.close());

const where = (r: { headers: Record<string, string>; path: string } | undefined) => `${r?.headers['host']}${r?.path}`;

test('the documented connection signs the user in through the default tenant (organizations)', async () => {
  const { claims, error } = await signIn(h, { connection: 'microsoft' });
  expect(error).toBeUndefined();
  expect(claims).toMatchObject({ sub: MEGAN, name: 'Megan Bowen', given_name: 'Megan', family_name: 'Bowen', email: 'MeganB@contoso.onmicrosoft.com', email_verified: false });

  expect(where(up.lastAuthorize)).toBe(`login.localhost:${up.port}/organizations/oauth2/v2.0/authorize`);
  expect(up.lastAuthorize?.query).toMatchObject({ client_id, scope: 'openid profile email offline_access User.Read', code_challenge_method: 'S256' });
  expect(where(up.lastToken)).toBe(`login.localhost:${up.port}/organizations/oauth2/v2.0/token`);
  expect(up.lastToken?.body).toMatchObject({ client_id, client_secret, grant_type: 'authorization_code', code_verifier: expect.any(String) as unknown });
  expect(where(up.lastProfile)).toBe(`graph.localhost:${up.port}/v1.0/me`);
});

test.each(['contoso.onmicrosoft.com', '7a3c1e52-0d1f-4c8e-9b6a-5f2d4e8a1c90'])('per-login tenant ms_tenant=%s goes into the path', async (tenant) => {
  const { claims } = await signIn(h, { connection: 'microsoft', ms_tenant: tenant });
  expect(claims?.sub).toBe(MEGAN);
  expect(up.lastAuthorize?.path).toBe(`/${tenant}/oauth2/v2.0/authorize`);
  expect(up.lastToken?.path).toBe(`/${tenant}/oauth2/v2.0/token`);
});

test('cloud "usgov" (the {% if %} in the URLs and the script) sends every request to the government cloud hosts', async () => {
  await connect(h, variant(MICROSOFT, 'microsoft-gov', (o) => ({ ...o, template_vars: { cloud: 'usgov', tenant: 'organizations' } })), swaps);
  const { claims } = await signIn(h, { connection: 'microsoft-gov' });
  expect(claims?.sub).toBe('oauth2|microsoft-gov|48d31887-5fad-4d73-a9f5-3c356e68a038');
  expect(where(up.lastAuthorize)).toBe(`login-usgov.localhost:${up.port}/organizations/oauth2/v2.0/authorize`);
  expect(where(up.lastToken)).toBe(`login-usgov.localhost:${up.port}/organizations/oauth2/v2.0/token`);
  expect(where(up.lastProfile)).toBe(`graph-usgov.localhost:${up.port}/v1.0/me`);
});

test.each(['../common', 'contoso.onmicrosoft.com/x', 'common?x=1', 'organizations', 'evil.com#'])('a hostile or non-tenant ms_tenant %j is invalid_request before leaving', async (tenant) => {
  const before = up.requests.length;
  const { error, description } = await signIn(h, { connection: 'microsoft', ms_tenant: tenant });
  expect(error).toBe('invalid_request');
  expect(description).toMatch(/^connection "microsoft": the \/authorize parameter "ms_tenant" has characters that are not allowed \(must match /);
  expect(up.requests.length).toBe(before);
});

describe('mistakes', () => {
  test('a tenant that does not exist: Microsoft\'s AADSTS90002 page, the app hears nothing', async () => {
    const { page, error } = await signIn(h, { connection: 'microsoft', ms_tenant: 'fabrikam.onmicrosoft.com' });
    expect(error).toBeUndefined();
    expect(page?.status).toBe(400);
    expect(page?.text.replaceAll('&#39;', "'")).toContain("AADSTS90002: Tenant 'fabrikam.onmicrosoft.com' not found");
  });

  test('a single-tenant app with the default tenant "organizations": Microsoft\'s AADSTS50194 page', async () => {
    const single = await startMicrosoft({ clientId: client_id, clientSecret: client_secret, redirectUris: [h.callback], audience: 'single' });
    try {
      await connect(h, variant(MICROSOFT, 'microsoft-single', (o) => o), swaps.map(([from, to]): Swap => [from, to.replace(String(up.port), String(single.port))]));
      const { page, error } = await signIn(h, { connection: 'microsoft-single' });
      expect(error).toBeUndefined();
      expect([page?.status, page?.text]).toEqual([400, expect.stringContaining('AADSTS50194: Application is not configured as a multi-tenant application.')]);
    } finally {
      await single.close();
    }
  });

  test('the secret\'s ID instead of its value: 401 invalid_client AADSTS7000215, the message names client_secret', async () => {
    await connect(h, variant(MICROSOFT, 'microsoft-secret-id', (o) => ({ ...o, client_secret: '0d5e8f7a-3b1c-4a2e-9f6d-1c2b3a4d5e6f' })), swaps);
    const { error, description } = await signIn(h, { connection: 'microsoft-secret-id' });
    expect(error).toBe('access_denied');
    expect(description).toMatch(/^connection "microsoft-secret-id": the token endpoint answered 401 invalid_client \(AADSTS7000215: Invalid client secret provided\./);
    expect(description).toMatch(/check client_id and client_secret/);
  });
});

// Every branch of a condition is checked as its own URL, so host:port inside branches is fine.
test('a condition whose branches carry host:port is accepted', async () => {
  const ported: Swap[] = [
    ['https://', 'http://'],
    ['login.microsoftonline.us', `127.0.0.1:${up.port}`],
    ['login.microsoftonline.com', `localhost:${up.port}`],
    ['graph.microsoft.us', `127.0.0.1:${up.port}`],
    ['graph.microsoft.com', `localhost:${up.port}`],
  ];
  await connect(h, variant(MICROSOFT, 'microsoft-ports', (o) => o), ported);
});
