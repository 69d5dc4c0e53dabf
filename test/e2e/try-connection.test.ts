import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { createConnection, patchConnection } from '../support/connections.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';
import { consoleBrowser, runTry, secretsOf, textOf } from './try-support.ts';

const CLIENT_SECRET = 'up-secret-0123456789';
const HEADER_SECRET = 'hdr-secret-value-123456';
let srv: TestServer;
let up: Upstream;
let pkceUp: Upstream;

const script = (userinfo: string) => `function(accessToken, ctx, cb) {
  console.log('token is', accessToken, 'keys', Object.keys(ctx).join(','));
  console.debug('token response', ctx);
  request.get({ url: '${userinfo}', headers: { Authorization: 'Bearer ' + accessToken }, json: true }, function(err, resp, body) {
    if (err) return cb(err);
    console.info('userinfo answered', resp.statusCode);
    // A careless script that copies a token into the profile: the page must still not show it.
    cb(null, { user_id: body.sub, email: body.email, email_verified: body.email_verified, name: body.name, refresh_hint: ctx.refresh_token });
  });
}`;
const options = (u: Upstream, extra: Record<string, unknown> = {}) => ({
  authorizationURL: `${u.url}/authorize`, tokenURL: `${u.url}/token`, client_id: 'up', client_secret: CLIENT_SECRET, scope: 'openid profile email',
  token_endpoint_auth_method: 'client_secret_basic', customHeaders: { 'X-Api-Key': HEADER_SECRET }, scripts: { fetchUserProfile: script(`${u.url}/userinfo`) }, ...extra,
});

beforeAll(async () => {
  srv = await startTestServer({ UPSTREAM_TIMEOUT_MS: '2000', SCRIPT_TIMEOUT_MS: '2000' });
  up = await startGeneric({ clientId: 'up', clientSecret: CLIENT_SECRET, redirectUris: [`${srv.issuer}login/callback`] });
  pkceUp = await startGeneric({ clientId: 'up', clientSecret: CLIENT_SECRET, redirectUris: [`${srv.issuer}login/callback`], pkce: 'required' });
});
afterAll(async () => {
  await up.close();
  await pkceUp.close();
  await srv.close();
});

async function users(): Promise<unknown[]> {
  const res = await srv.api('/users');
  expect(res.status).toBe(200);
  return res.body as unknown[];
}

function expectNoSecret(html: string, u: Upstream, extra: string[] = []): void {
  const secrets = secretsOf(u, [CLIENT_SECRET, HEADER_SECRET, ...extra]);
  expect(secrets.length).toBeGreaterThan(3);
  for (const secret of secrets) expect(html).not.toContain(secret);
}

describe('Try connection', () => {
  test('success: the profile, the user that would be stored, the claims, and a full trace; no user is written', async () => {
    const { id } = await createConnection(srv, 'tryme', options(up));
    const { page } = await runTry(srv, id);
    expect(page.status).toBe(200);
    const text = textOf(page.text);
    expect(text).toContain('Success.');
    expect(text).toContain('oauth2|tryme|generic|1001');
    expect(text).toContain('"email": "ada@example.com"');
    expect(text).toContain('"sub": "oauth2|tryme|generic|1001"');
    expect(text).toMatch(/"provider": "oauth2".*"connection": "tryme"/);
    // The trace: authorize parameters, the token request by names, the answer's keys, the script's requests and console.
    expect(text).toContain(`${up.url}/authorize`);
    expect(text).toMatch(/redirect_uri \S*login\/callback/);
    expect(text).toMatch(/state ••••••/);
    expect(text).toMatch(/Request POST http:\/\/127\.0\.0\.1:\d+\/token/);
    expect(text).toMatch(/Header names [^|]*authorization[^|]*x-api-key/);
    expect(text).toMatch(/Parameter names grant_type, code, redirect_uri, client_id/);
    expect(text).toMatch(/Response status 200 Content type application\/json/);
    expect(text).toMatch(/Response keys access_token, token_type, expires_in, refresh_token, scope/);
    expect(text).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/userinfo 200 · [\d.]+ ms/);
    expect(text).toContain('[log] token is [access token] keys access_token');
    expect(text).toContain('[info] userinfo answered 200');
    expect(text).toMatch(/\[debug\] token response \{"access_token":"\[access token\]","token_type":"Bearer".*"refresh_token":"••••••"/);
    expect(text).toContain('"refresh_hint": "••••••"');
    for (const step of ['loadAttempt', 'exchangeCode', 'runProfile', 'saveUser']) expect(text).toContain(step);
    expect(await users()).toEqual([]);
    expectNoSecret(page.text, up);
  });

  test('redirect_uri_mismatch at the provider: the step, the provider error, and the exact URL to register', async () => {
    const { id } = await createConnection(srv, 'mismatch', options(up));
    up.faults.authorize = { error: 'redirect_uri_mismatch', description: 'The redirect_uri MUST match the registered callback URL for this application.' };
    try {
      const { page } = await runTry(srv, id);
      const text = textOf(page.text);
      expect(text).toContain('Failed at: authorize at the provider.');
      expect(text).toContain('redirect_uri_mismatch');
      expect(page.text).toMatch(new RegExp(`<code class="register" aria-label="URL to register">${srv.issuer}login/callback</code>`));
      expect(text).toContain('Not made.'); // no token request
      expect(await users()).toEqual([]);
      expectNoSecret(page.text, up);
    } finally {
      delete up.faults.authorize;
    }
  });

  test('invalid_client at the token endpoint: client id/secret and Basic vs body', async () => {
    const wrong = 'wrong-secret-abcdef123456';
    const { id } = await createConnection(srv, 'badsecret', options(up, { client_secret: wrong }));
    const { page } = await runTry(srv, id);
    const text = textOf(page.text);
    expect(text).toContain('Failed at: token request.');
    expect(text).toContain('invalid_client');
    expect(text).toContain('Check that Client ID and Client Secret');
    expect(text).toContain('token_endpoint_auth_method "client_secret_basic"; if the provider expects the other way, switch to client_secret_post');
    expect(text).toMatch(/Response status 401/);
    expect(await users()).toEqual([]);
    expectNoSecret(page.text, up, [wrong]);
  });

  test('a script error: the step, the line, and the console output before it', async () => {
    const broken = 'function(accessToken, ctx, cb) {\n  console.warn("about to read", accessToken);\n  var x = ctx.nothing.here;\n  cb(null, { user_id: x });\n}';
    const { id } = await createConnection(srv, 'brokenscript', options(up, { scripts: { fetchUserProfile: broken } }));
    const { page } = await runTry(srv, id);
    const text = textOf(page.text);
    expect(text).toContain('Failed at: script.');
    expect(text).toContain('fetchUserProfile failed at line 3.');
    expect(text).toContain('script_thrown');
    expect(text).toContain('[warn] about to read [access token]');
    expect(text).toMatch(/Response status 200/);
    expect(await users()).toEqual([]);
    expectNoSecret(page.text, up);
  });

  test('a profile that fails validation is reported as the profile validation step', async () => {
    const bad = 'function(accessToken, ctx, cb) { cb(null, { user_id: "u1", email_verified: "yes" }); }';
    const { id } = await createConnection(srv, 'badprofile', options(up, { scripts: { fetchUserProfile: bad } }));
    const text = textOf((await runTry(srv, id)).page.text);
    expect(text).toContain('Failed at: profile validation.');
    expect(text).toContain('email_verified');
    expect(await users()).toEqual([]);
  });

  test('PKCE required, invalid_scope and admin consent each get their own fix', async () => {
    const pkce = await createConnection(srv, 'needspkce', options(pkceUp));
    const pkceText = textOf((await runTry(srv, pkce.id)).page.text);
    expect(pkceText).toContain('The provider requires PKCE and this connection does not send it.');
    expect(pkceText).toContain('set pkce_enabled to true');

    const scope = await createConnection(srv, 'badscope', options(up, { scope: 'openid bogus' }));
    const scopeText = textOf((await runTry(srv, scope.id)).page.text);
    expect(scopeText).toContain('invalid_scope');
    expect(scopeText).toContain('Scopes sent: openid bogus.');

    const consent = await createConnection(srv, 'needsconsent', options(up));
    up.faults.authorize = { error: 'consent_required', description: 'AADSTS65001: The user or administrator has not consented to use the application.' };
    try {
      const consentText = textOf((await runTry(srv, consent.id)).page.text);
      expect(consentText).toContain('An administrator of the provider');
      expect(consentText).toContain('Grant admin consent');
    } finally {
      delete up.faults.authorize;
    }
    expect(await users()).toEqual([]);
  });

  test('the result belongs to the admin client that ran the try', async () => {
    const { id } = await createConnection(srv, 'owned', options(up));
    const { resultUrl } = await runTry(srv, id);
    const other = await srv.clientWith(['read:connections']);
    const { ua } = await consoleBrowser(srv, other.client_id, other.client_secret);
    const page = await ua.request(resultUrl);
    expect(page.status).toBe(404);
  });
});

describe('who may try', () => {
  test('the pages need a console session whose client has the right scope', async () => {
    const { id } = await createConnection(srv, 'guarded', options(up));
    // Without a session a page request goes to the console's sign-in (the console's rule for every GET), and no ticket is issued.
    const none = await new UserAgent().request(`${srv.url}/admin/connections/${id}/try`);
    expect(none.status).toBe(303);
    expect(none.location).toBe(`${srv.issuer}admin/sign-in`);
    expect(none.headers['set-cookie'] ?? []).toEqual([]);
    const weak = await srv.clientWith(['read:users']);
    const { ua } = await consoleBrowser(srv, weak.client_id, weak.client_secret);
    const denied = await ua.request(`${srv.url}/admin/connections/${id}/try`);
    expect(denied.status).toBe(403);
    expect(denied.text).toContain('read:connections');
  });

  test('an app cannot make a login a try: the tester client without a ticket bound to this browser signs no one in', async () => {
    const { id } = await createConnection(srv, 'notry', options(up));
    // A real ticket, issued to the admin's browser…
    const { ua: admin } = await consoleBrowser(srv);
    const start = await admin.request(`${srv.url}/admin/connections/${id}/try`);
    const authorize = new URL(start.location!);
    const before = up.requests.filter((r) => r.role === 'authorize').length;
    // …replayed by another browser, and a made-up one: both stop before the provider.
    for (const state of [authorize.searchParams.get('state')!, 'try.made-up-ticket']) {
      authorize.searchParams.set('state', state);
      const { stoppedAt } = await new UserAgent().follow(authorize.toString(), `${srv.issuer}admin/connections/try/callback`);
      expect(stoppedAt).toBeDefined();
      expect(new URL(stoppedAt!).searchParams.get('error_description')).toContain('only runs tries started from the admin console');
    }
    expect(up.requests.filter((r) => r.role === 'authorize').length).toBe(before);
    expect(await users()).toEqual([]);
  });

  test('the tester client is listed, marked as built in', async () => {
    const res = await srv.api('/clients');
    const tester = (res.body as Array<{ client_id: string; client_metadata?: Record<string, string> }>).find((c) => c.client_id === 'brokerid-connection-tester');
    expect(tester?.client_metadata).toEqual({ brokerid_builtin: 'connection_tester' });
  });
});
