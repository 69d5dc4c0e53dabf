import type { LogEvent } from '../../src/logs/types.ts';
import { ADMIN_ID, ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.ts';

/**
 * Rate limits over HTTP (TRUST_PROXY=true, so each test speaks from its own made-up
 * X-Forwarded-For address; every request still goes to the loopback server).
 */

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({
    TRUST_PROXY: 'true', RATE_LIMIT_TOKEN_FAILURES: '5', RATE_LIMIT_TOKEN_FAILURES_PER_IP: '40',
    RATE_LIMIT_AUTHORIZE: '30', RATE_LIMIT_LOGIN: '30', RATE_LIMIT_MANAGEMENT_AUTH_FAILURES: '10',
  });
});
afterAll(async () => {
  await srv.close();
});

const audience = () => `${srv.issuer}api/v2/`;

function tokenRequest(ip: string, clientId: string, secret: string): Promise<Response> {
  return fetch(`${srv.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience: audience() }),
  });
}

/**
 * The api_limit events of one limit kind, read straight from the store once at least one is
 * there (the writer flushes within ~100 ms), and again 300 ms later so a duplicate would show.
 */
async function limitEvents(kind: string, on: TestServer = srv): Promise<LogEvent[]> {
  const read = async () => (await on.server.store.logs.list({ types: ['api_limit'] }, { order: 'asc', limit: 500 })).items
    .filter((e) => e.details?.['limit'] === kind);
  for (const deadline = Date.now() + 10_000; Date.now() < deadline && !(await read()).length;) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  return read();
}

test('300 wrong client_secrets: 401 up to the threshold, then 429 with Retry-After; other clients and other IPs still work', async () => {
  const statuses: number[] = [];
  let last: Response | undefined;
  for (let i = 0; i < 300; i++) {
    last = await tokenRequest('127.0.0.11', ADMIN_ID, `wrong-secret-${i}`);
    statuses.push(last.status);
    if (i < 299) await last.arrayBuffer();
  }
  expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
  expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
  expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(Number(last!.headers.get('retry-after'))).toBeLessThanOrEqual(srv.config.RATE_LIMIT_FAILURE_WINDOW);
  const body = (await last!.json()) as { error: string; error_description: string };
  expect(body.error).toBe('too_many_requests');
  expect(body.error_description).toMatch(/try again in \d+ s/);

  // Even the right secret is refused for this client from this IP: the guard answers before the secret is checked.
  expect((await tokenRequest('127.0.0.11', ADMIN_ID, ADMIN_SECRET)).status).toBe(429);
  // Another client from the same IP is not locked out.
  const other = await srv.clientWith(['read:clients']);
  expect((await tokenRequest('127.0.0.11', other.client_id, other.client_secret)).status).toBe(200);
  // The right secret from another IP works: an attacker cannot lock a client out everywhere.
  expect((await tokenRequest('127.0.0.12', ADMIN_ID, ADMIN_SECRET)).status).toBe(200);

  // One event for the window, not one per refused request; it names the client and the IP, never the secret.
  const events = await limitEvents('token_auth_client_ip');
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ type: 'api_limit', client_id: ADMIN_ID, ip: '127.0.0.11' });
  expect(JSON.stringify(events)).not.toMatch(/wrong-secret|test-admin-secret/);
});

test('one IP failing for many clients is refused for every client once the per-IP count is reached; a success resets nothing', async () => {
  const ip = '127.0.0.21';
  const other = await srv.clientWith(['read:clients']);
  for (let i = 0; i < 40; i++) {
    // Each made-up client stays under its own limit (5); the IP's total reaches 40.
    const res = await tokenRequest(ip, `no-such-client-${i % 10}`, 'x');
    expect(res.status).toBe(401);
    if (i === 20) expect((await tokenRequest(ip, other.client_id, other.client_secret)).status).toBe(200);
  }
  const refused = await tokenRequest(ip, other.client_id, other.client_secret);
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  expect((await tokenRequest('127.0.0.22', other.client_id, other.client_secret)).status).toBe(200);
  expect(await limitEvents('token_auth_ip')).toEqual([expect.objectContaining({ ip })]);
});

/** Sends `allowed` requests that must pass, then the one over the limit: a 429 with Retry-After and a readable page. */
async function floodBrowserRoute(send: (ip: string) => Promise<Response>, ip: string, allowed: number): Promise<void> {
  for (let i = 0; i < allowed; i++) {
    const res = await send(ip);
    await res.arrayBuffer();
    expect(res.status).not.toBe(429);
  }
  const refused = await send(ip);
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(refused.headers.get('content-type')).toMatch(/text\/html/);
  expect(await refused.text()).toMatch(/Too many sign-in requests from this address: try again in \d+ s/);
}

test('an /authorize flood from one IP gets 429 and a readable page; another IP is unaffected', async () => {
  const flood = (ip: string) => fetch(`${srv.url}/authorize?client_id=nobody&response_type=code`, { headers: { 'x-forwarded-for': ip }, redirect: 'manual' });
  await floodBrowserRoute(flood, '127.0.0.31', 30);
  expect((await flood('127.0.0.32')).status).not.toBe(429);
  expect(await limitEvents('authorize_ip')).toEqual([expect.objectContaining({ ip: '127.0.0.31' })]);
});

test('/login/* (forged upstream callbacks) per IP: 429 after the limit', async () => {
  const forged = (ip: string) => fetch(`${srv.url}/login/callback?code=x&state=forged`, { headers: { 'x-forwarded-for': ip }, redirect: 'manual' });
  await floodBrowserRoute(forged, '127.0.0.41', 30);
  expect((await forged('127.0.0.42')).status).not.toBe(429);
  expect(await limitEvents('login_ip')).toEqual([expect.objectContaining({ ip: '127.0.0.41' })]);
});

test('behind the proxy, the client\'s IP is the one the proxy added: a made-up first X-Forwarded-For entry changes nothing', async () => {
  const ip = '127.0.0.71';
  for (let i = 0; i < 5; i++) expect((await tokenRequest(`127.0.0.${100 + i}, ${ip}`, ADMIN_ID, 'wrong')).status).toBe(401);
  expect((await tokenRequest(`127.0.0.200, ${ip}`, ADMIN_ID, ADMIN_SECRET)).status).toBe(429);
  expect((await tokenRequest(`${ip}, 127.0.0.72`, ADMIN_ID, ADMIN_SECRET)).status).toBe(200);
});

test('bad Management tokens from one IP: 401 up to the threshold, then 429 for that IP only', async () => {
  const call = (ip: string, token: string) => fetch(`${srv.url}/api/v2/clients`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': ip } });
  for (let i = 0; i < 10; i++) expect((await call('127.0.0.51', `forged.${i}.token`)).status).toBe(401);
  const refused = await call('127.0.0.51', await srv.adminToken());
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(await refused.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests', errorCode: 'too_many_requests' });
  expect((await call('127.0.0.52', await srv.adminToken())).status).toBe(200);
});

describe('the Management API per token', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ RATE_LIMIT_MANAGEMENT: '25' });
  });
  afterAll(async () => {
    await limited.close();
  });

  test('X-RateLimit-* on every answer, 429 with Retry-After past the limit; another token keeps working', async () => {
    const token = await limited.tokenWith(['read:clients']);
    const call = (path: string, bearer = token) => fetch(`${limited.url}/api/v2${path}`, { headers: { authorization: `Bearer ${bearer}` } });
    const remaining: number[] = [];
    for (let i = 0; i < 25; i++) {
      // A 200, a 403 (missing scope) and a 404 all carry the headers.
      const res = await call(i % 3 === 0 ? '/clients' : i % 3 === 1 ? '/users' : '/nothing-here');
      expect([200, 403, 404]).toContain(res.status);
      expect(res.headers.get('x-ratelimit-limit')).toBe('25');
      const reset = Number(res.headers.get('x-ratelimit-reset'));
      expect(reset).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
      expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + limited.config.RATE_LIMIT_WINDOW);
      remaining.push(Number(res.headers.get('x-ratelimit-remaining')));
      await res.arrayBuffer();
    }
    expect(remaining).toEqual(Array.from({ length: 25 }, (_, i) => 24 - i));
    const refused = await call('/clients');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests', errorCode: 'too_many_requests' });
    // Each token has its own count (the admin token made the setup calls and still has room).
    const other = await call('/clients', await limited.adminToken());
    expect(other.status).toBe(200);
    const events = await limitEvents('management_token', limited);
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(token);
  });
});

test('RATE_LIMITS=false turns every limit off', async () => {
  const open = await startTestServer({ RATE_LIMITS: 'false', RATE_LIMIT_TOKEN_FAILURES: '2' });
  try {
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${open.url}/oauth/token`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: ADMIN_ID, client_secret: 'wrong', audience: `${open.issuer}api/v2/` }),
      });
      expect(res.status).toBe(401);
    }
    expect((await fetch(`${open.url}/api/v2/clients`, { headers: { authorization: `Bearer ${await open.adminToken()}` } })).headers.get('x-ratelimit-limit')).toBeNull();
  } finally {
    await open.close();
  }
});
