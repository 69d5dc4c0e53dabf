/** The emulator framework itself, driven through the generic provider: recording, codes, clock, faults. */
import { startCallbackRecorder, startGeneric } from './upstreams/index.ts';
import type { CallbackRecorder, Upstream } from './upstreams/index.ts';
import { authorizeAt, basic, bearerHeader, codeOf, get, postForm } from './upstreams/drive.ts';

let cb: CallbackRecorder;
let up: Upstream;
const auth = basic('app', 's3cret');

beforeEach(async () => {
  cb = await startCallbackRecorder();
  up = await startGeneric({ clientId: 'app', clientSecret: 's3cret', redirectUris: [cb.redirectUri, `${cb.redirectUri}?tenant=a`] });
});
afterEach(async () => {
  await up.close();
  await cb.close();
});

const login = (extra: Record<string, string | undefined> = {}) =>
  authorizeAt(up.url, '/authorize', { response_type: 'code', client_id: 'app', redirect_uri: cb.redirectUri, scope: 'openid email', state: 'st-1', ...extra });
const exchange = (code: string, headers = auth) =>
  postForm(`${up.url}/token`, { grant_type: 'authorization_code', code, redirect_uri: cb.redirectUri }, headers);

describe('upstream emulator framework', () => {
  it('runs authorize → callback → token → profile and records every request', async () => {
    const a = await login();
    expect(a.status).toBe(302);
    expect(a.location?.origin + (a.location?.pathname ?? '')).toBe(cb.redirectUri);
    await fetch(a.location ?? '');
    expect(cb.hits.at(-1)?.query).toEqual({ code: codeOf(a), state: 'st-1' });

    const t = await exchange(codeOf(a), { ...auth, 'X-Custom-Thing': 'yes' });
    expect(t.status).toBe(200);
    expect(t.headers.get('cache-control')).toBe('no-store');
    const me = await get(`${up.url}/userinfo`, bearerHeader(t.body?.access_token));
    expect(me.body).toMatchObject({ sub: 'generic|1001', email: 'ada@example.com' });

    expect(up.requests.map((r) => `${r.method} ${r.path} ${r.role ?? ''}`)).toEqual(['GET /authorize authorize', 'POST /token token', 'GET /userinfo profile']);
    expect(up.lastAuthorize?.query).toMatchObject({ client_id: 'app', scope: 'openid email', state: 'st-1' });
    expect(up.lastToken?.headers['x-custom-thing']).toBe('yes');
    expect(up.lastToken?.bodyType).toBe('form');
    expect(up.lastToken?.body).toEqual({ grant_type: 'authorization_code', code: codeOf(a), redirect_uri: cb.redirectUri });
    expect(up.lastToken?.rawBody).toContain('grant_type=authorization_code');
    expect(up.lastProfile?.headers.authorization).toBe(`Bearer ${String(t.body?.access_token)}`);
    expect(up.tokensIssued).toHaveLength(1);
    expect(up.codesIssued[0]?.used).toBe(true);
  });

  it('keeps the redirect URI query and omits an absent state', async () => {
    const a = await login({ redirect_uri: `${cb.redirectUri}?tenant=a`, state: undefined });
    expect(a.location?.searchParams.get('tenant')).toBe('a');
    expect(a.location?.searchParams.has('state')).toBe(false);
    expect(a.location?.searchParams.get('code')).toBeTruthy();
  });

  it('makes codes single use and revokes what the first redemption issued', async () => {
    const code = codeOf(await login());
    const first = await exchange(code);
    expect(first.status).toBe(200);
    const second = await exchange(code);
    expect(second.status).toBe(400);
    expect(second.body?.error).toBe('invalid_grant');
    expect((await get(`${up.url}/userinfo`, bearerHeader(first.body?.access_token))).status).toBe(401);
  });

  it('expires codes and access tokens when the clock moves', async () => {
    const code = codeOf(await login());
    up.advanceTime(11 * 60_000);
    expect((await exchange(code)).body?.error).toBe('invalid_grant');
    const fresh = await exchange(codeOf(await login()));
    up.advanceTime(3601_000);
    const me = await get(`${up.url}/userinfo`, bearerHeader(fresh.body?.access_token));
    expect(me.status).toBe(401);
    expect(me.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('signs in whichever user signInAs chose', async () => {
    up.signInAs({ sub: 'generic|2002', name: 'Alan Turing' });
    const t = await exchange(codeOf(await login()));
    expect((await get(`${up.url}/userinfo`, bearerHeader(t.body?.access_token))).body).toEqual({ sub: 'generic|2002', name: 'Alan Turing' });
    expect(up.users.size).toBe(2);
  });

  describe('faults', () => {
    it('authorize: the user declines → error redirect with the state', async () => {
      up.faults.authorize = { error: 'access_denied', description: 'User said no' };
      const a = await login();
      expect(Object.fromEntries(a.location?.searchParams ?? [])).toEqual({ error: 'access_denied', error_description: 'User said no', state: 'st-1' });
      expect(up.codesIssued).toHaveLength(0);
    });

    it('token: invalid_client and invalid_grant in the provider dialect', async () => {
      up.faults.token = { kind: 'invalid_client' };
      const c = await exchange(codeOf(await login()));
      expect([c.status, c.body?.error]).toEqual([401, 'invalid_client']);
      up.faults.token = { kind: 'invalid_grant' };
      const g = await exchange(codeOf(await login()));
      expect([g.status, g.body?.error]).toEqual([400, 'invalid_grant']);
      delete up.faults.token;
      expect((await exchange(codeOf(await login()))).status).toBe(200);
    });

    it('token: 500, non-JSON garbage and a redirect', async () => {
      up.faults.token = { kind: 'status', status: 500 };
      expect((await exchange(codeOf(await login()))).status).toBe(500);
      up.faults.token = { kind: 'garbage' };
      const g = await exchange(codeOf(await login()));
      expect([g.status, g.body, g.headers.get('content-type')]).toEqual([200, undefined, 'text/html']);
      up.faults.token = { kind: 'redirect', location: 'http://127.0.0.1:9/steal' };
      const r = await exchange(codeOf(await login()));
      expect([r.status, r.location?.toString()]).toEqual([302, 'http://127.0.0.1:9/steal']);
    });

    it('token: slow answers arrive after the delay; close() does not wait for them', async () => {
      up.faults.token = { kind: 'slow', delayMs: 150 };
      const started = Date.now();
      expect((await exchange(codeOf(await login()))).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      up.faults.token = { kind: 'slow', delayMs: 60_000 };
      const pending = exchange(codeOf(await login())).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 50));
      await up.close();
      expect(String(await pending)).toMatch(/fetch failed/); // the connection was cut, not answered
    });

    it('profile: transport faults apply to the profile endpoint', async () => {
      const t = await exchange(codeOf(await login()));
      up.faults.profile = { kind: 'status', status: 503, body: 'busy' };
      const me = await get(`${up.url}/userinfo`, bearerHeader(t.body?.access_token));
      expect([me.status, me.text]).toEqual([503, 'busy']);
    });
  });

  it('answers 404 for unknown paths and 405 for wrong methods', async () => {
    expect((await get(`${up.url}/nope`)).status).toBe(404);
    const wrong = await get(`${up.url}/token`);
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'POST']);
  });
});
