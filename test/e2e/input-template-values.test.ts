/**
 * Issue 11, rows 5 and 6: template values cannot leave their place, and admin patterns run
 * in linear time. Every request here goes to loopback: the browser below refuses to follow a
 * redirect anywhere else and records where it was sent instead.
 */
import { authorizationRequest } from '../support/app.ts';
import { startSubdomain, startGeneric, type SubdomainUpstream, type Upstream } from '../support/upstreams/index.ts';
import { UserAgent } from '../support/user-agent.ts';
import { ZENDESK_PER_LOGIN } from './providers/configs.ts';
import { connect, signIn, startHarness, variant, type Harness, type Swap } from './providers/harness.ts';

let h: Harness;
let up: SubdomainUpstream;
let generic: Upstream;
let swaps: Swap[];
beforeAll(async () => {
  h = await startHarness();
  const { client_id, client_secret } = ZENDESK_PER_LOGIN.options;
  up = await startSubdomain({ clientId: client_id, clientSecret: client_secret, redirectUris: [h.callback], tenants: ['acme'] });
  generic = await startGeneric({ clientId: 'up', clientSecret: 'up-secret', redirectUris: [h.callback], scopes: 'any' });
  swaps = [['https://', 'http://'], ['.zendesk.com', `.localhost:${up.port}`]];
  // The careless pattern of the report: anything goes.
  await connect(h, variant(ZENDESK_PER_LOGIN, 'any-shop', (o) => ({ ...o, template_params: { subdomain: { from: 'shop', pattern: '.*' } } })), swaps);
});
afterAll(async () => {
  await generic.close();
  await up.close();
  await h.close();
});

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|\[::1\]|localhost|[a-z0-9-]+\.localhost)$/i;

/** Follows redirects on loopback only; ends at the app's redirect_uri, a page, or the first address off loopback (not requested). */
async function guardedLogin(params: Record<string, string>): Promise<{ app?: URL; offLoopback?: string; status?: number }> {
  const ua = new UserAgent();
  let next: string | undefined = (await authorizationRequest(h.app, params)).url;
  for (let hop = 0; next && hop < 20; hop++) {
    if (next.startsWith(h.app.redirectUri)) return { app: new URL(next) };
    if (!LOOPBACK.test(new URL(next).hostname)) return { offLoopback: next };
    const page = await ua.request(next);
    if (page.status < 300 || page.status >= 400 || !page.location) return { status: page.status };
    next = page.location;
  }
  throw new Error('too many redirects');
}

test('pattern ".*" and shop=evil.example/x?: refused before any redirect or token request, the app gets invalid_request', async () => {
  const before = up.requests.length;
  const outcome = await guardedLogin({ connection: 'any-shop', shop: 'evil.example/x?' });
  expect(outcome.offLoopback).toBeUndefined();
  expect(outcome.app?.searchParams.get('error')).toBe('invalid_request');
  expect(outcome.app?.searchParams.get('error_description')).toMatch(
    /the \/authorize parameter "shop" fills {{ subdomain }} in the host of (tokenURL|authorizationURL), where a value must be one DNS label/);
  expect(up.requests.length).toBe(before);
});

test.each(['evil.example#', 'evil.example\\', 'user@evil.example', 'evil.example:80', 'acme.localhost:1/x', 'a b', '%65vil.example'])(
  'shop=%j cannot change the host either', async (shop) => {
    const outcome = await guardedLogin({ connection: 'any-shop', shop });
    expect(outcome.offLoopback).toBeUndefined();
    expect(outcome.app?.searchParams.get('error')).toBe('invalid_request');
  });

test('a value that is one label still works end to end with the same careless pattern', async () => {
  const { claims, error } = await signIn(h, { connection: 'any-shop', shop: 'acme' });
  expect(error).toBeUndefined();
  expect(claims?.sub).toBe('oauth2|any-shop|acme:35436');
  expect(up.lastToken?.headers['host']).toBe(up.hostOf('acme'));
});

describe('admin patterns run on RE2 (linear time)', () => {
  beforeAll(async () => {
    const res = await h.srv.api('/connections', { method: 'POST', body: {
      name: 'redos', strategy: 'oauth2', enabled_clients: [h.app.clientId],
      options: {
        authorizationURL: `${generic.url}/authorize?team={{ team }}`, tokenURL: `${generic.url}/token`, client_id: 'up', client_secret: 'up-secret', token_endpoint_auth_method: 'client_secret_basic',
        template_params: { team: { from: 'team', pattern: '(a+)+$' } },
        scripts: { fetchUserProfile: 'function(a, c, cb) { cb(null, { user_id: "u-" + c.template_vars.team.length }); }' },
      },
    } });
    expect(res.status).toBe(201);
  });

  // On a backtracking engine 32 a's and a "!" take minutes of the main thread; this test then times out.
  test('(a+)+$ with a 33-character value is refused at once, and a matching value logs in', async () => {
    const refused = await guardedLogin({ connection: 'redos', team: `${'a'.repeat(32)}!` });
    expect(refused.app?.searchParams.get('error')).toBe('invalid_request');
    expect(refused.app?.searchParams.get('error_description')).toMatch(/the \/authorize parameter "team" has characters that are not allowed \(must match \(a\+\)\+\$\)/);
    const { claims, error, description } = await signIn(h, { connection: 'redos', team: 'a'.repeat(32) });
    expect([error, description]).toEqual([undefined, undefined]);
    expect(claims?.sub).toBe('oauth2|redos|u-32');
    expect(generic.lastAuthorize?.query['team']).toBe('a'.repeat(32));
  }, 20_000);

  test('a value longer than 253 characters is refused whatever the pattern', async () => {
    const refused = await guardedLogin({ connection: 'redos', team: 'a'.repeat(254) });
    expect(refused.app?.searchParams.get('error_description')).toMatch(/the \/authorize parameter "team" is longer than 253 characters/);
  });

  test.each([['(a)\\1', 'invalid escape sequence'], ['(?=a)a', 'invalid or unsupported Perl syntax'], ['(?<=a)b', 'invalid named capture']])(
    'a pattern RE2 cannot run (%s) is refused when the connection is saved', async (pattern, why) => {
      const res = await h.srv.api('/connections', { method: 'POST', body: {
        name: 'bad-pattern', strategy: 'oauth2',
        options: { authorizationURL: 'https://{{ t }}.example.com/a', tokenURL: 'https://{{ t }}.example.com/t', client_id: 'c', client_secret: 's',
          template_params: { t: { from: 't', pattern } }, scripts: { fetchUserProfile: 'function(a, c, cb) { cb(null, { user_id: 1 }); }' } },
      } });
      expect(res.status).toBe(400);
      expect((res.body as { message: string }).message).toContain(`options.template_params.t.pattern: cannot be used: error parsing regexp: ${why}`);
      expect((await h.srv.api('/connections?name=bad-pattern')).body).toEqual([]);
    });
});
