import { login } from '../support/app.ts';
import { createConnection } from '../support/connections.ts';
import { startLoginWorld, stopLoginWorld, upstreamOptions, type LoginWorld } from '../support/login-world.ts';
import { sample } from '../support/metrics.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

/**
 * GET /metrics over HTTP: brokered logins through a loopback upstream show up in the login
 * counter and the latency histograms; access is loopback-only without METRICS_TOKEN (proved
 * with TRUST_PROXY and a forwarded address in a header; every request goes to loopback) and
 * bearer-only with it.
 */

let world: LoginWorld;
beforeAll(async () => {
  world = await startLoginWorld({ TRUST_PROXY: 'true', RATE_LIMIT_LOGIN: '30' });
});
afterAll(() => stopLoginWorld(world));

async function scrape(headers: Record<string, string> = {}, on: TestServer = world.srv): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`${on.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function loginThrough(name: string): Promise<URL> {
  await createConnection(world.srv, name, upstreamOptions(world.up), { enabled_clients: [world.app.clientId] });
  return (await login(world.app, new UserAgent(), { connection: name })).callback;
}

test('a successful and a failed login: counted by connection, outcome and failing step; histograms observed', async () => {
  const before = (await scrape()).text;
  const count = (text: string, name: string, labels: Record<string, string>) => sample(text, `${name}_count`, labels) - sample(before, `${name}_count`, labels);

  expect((await loginThrough('metered-ok')).searchParams.get('code')).toBeTruthy();
  world.up.faults.token = { kind: 'invalid_client' };
  try {
    expect((await loginThrough('metered-bad')).searchParams.get('error')).toBe('access_denied');
  } finally {
    delete world.up.faults.token;
  }

  const { status, type, text } = await scrape();
  expect(status).toBe(200);
  expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(sample(text, 'brokerid_logins_total', { connection: 'metered-ok', outcome: 'success', step: '' })).toBe(1);
  expect(sample(text, 'brokerid_logins_total', { connection: 'metered-bad', outcome: 'failure', step: 'exchangeCode' })).toBe(1);
  expect(sample(text, 'brokerid_logins_total', { connection: 'metered-bad', outcome: 'success', step: '' })).toBe(0);
  expect(count(text, 'brokerid_login_callback_duration_seconds', { outcome: 'success' })).toBe(1);
  expect(count(text, 'brokerid_login_callback_duration_seconds', { outcome: 'failure' })).toBe(1);
  // Both reached the token request; only the successful one ran its script and wrote its user.
  expect(count(text, 'brokerid_login_step_duration_seconds', { step: 'exchangeCode' })).toBe(2);
  expect(count(text, 'brokerid_login_step_duration_seconds', { step: 'runProfile' })).toBe(1);
  expect(count(text, 'brokerid_login_step_duration_seconds', { step: 'saveUser' })).toBe(1);
  expect(sample(text, 'brokerid_login_step_duration_seconds_sum', { step: 'exchangeCode' })).toBeGreaterThan(0);
  // prom-client's default process metrics come along.
  expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  expect(text).toContain('nodejs_eventloop_lag_seconds');
});

test('a dead sign-in link is a failure of no known connection: counted as (unknown) at the step that refused it', async () => {
  const labels = { connection: '(unknown)', outcome: 'failure', step: 'loadAttempt' };
  const before = sample((await scrape()).text, 'brokerid_logins_total', labels);
  const page = await fetch(`${world.srv.url}/login/callback?state=made-up-by-the-client&code=x`);
  expect(page.status).toBe(400);
  const { text } = await scrape();
  expect(sample(text, 'brokerid_logins_total', labels)).toBe(before + 1);
  expect(text).not.toContain('made-up-by-the-client');
});

test('a rate-limit hit is counted once per key and window, by limit', async () => {
  const before = sample((await scrape()).text, 'brokerid_rate_limit_hits_total', { limit: 'login_ip' });
  const statuses: number[] = [];
  for (let i = 0; i < 33; i++) {
    statuses.push((await fetch(`${world.srv.url}/login/nothing-here`, { headers: { 'x-forwarded-for': '127.0.0.77' }, redirect: 'manual' })).status);
  }
  expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
  expect(sample((await scrape()).text, 'brokerid_rate_limit_hits_total', { limit: 'login_ip' })).toBe(before + 1);
});

test('without METRICS_TOKEN: loopback only (a forwarded non-loopback client gets 403)', async () => {
  expect((await scrape({ 'x-forwarded-for': '127.0.0.9' })).status).toBe(200);
  for (const outside of ['203.0.113.7', '::ffff:198.51.100.2', '2001:db8::1', '10.0.0.1']) {
    const refused = await scrape({ 'x-forwarded-for': outside });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('METRICS_TOKEN');
    expect(refused.text).not.toContain('brokerid_logins_total');
  }
});

test('a Management API create of a taken name counts as a store conflict, not an error', async () => {
  const conflicts = async () => sample((await scrape()).text, 'brokerid_store_errors_total', { call: 'connections.insert', kind: 'conflict' });
  const before = await conflicts();
  await createConnection(world.srv, 'taken-name', upstreamOptions(world.up));
  const again = await world.srv.api('/connections', { method: 'POST', body: { name: 'taken-name', strategy: 'oauth2', options: upstreamOptions(world.up) } });
  expect(again.status).toBe(409);
  expect(await conflicts()).toBe(before + 1);
  expect(sample((await scrape()).text, 'brokerid_store_errors_total', { call: 'connections.insert', kind: 'error' })).toBe(0);
});

test('METRICS_ENABLED=false: nothing is served at /metrics', async () => {
  const off = await startTestServer({ METRICS_ENABLED: 'false' });
  try {
    const res = await scrape({}, off);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('brokerid_');
  } finally {
    await off.close();
  }
});

describe('with METRICS_TOKEN', () => {
  const token = 'metrics-token-0123456789abcdef';
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ METRICS_TOKEN: token });
  });
  afterAll(() => srv.close());

  test('only Authorization: Bearer <METRICS_TOKEN> is served, loopback or not', async () => {
    const wrong: Record<string, string>[] = [{}, { authorization: `Bearer ${token}x` }, { authorization: `Bearer ${token.slice(0, -1)}` }, { authorization: `Basic ${token}` }, { authorization: 'Bearer ' }];
    for (const headers of wrong) {
      const refused = await scrape(headers, srv);
      expect(refused.status).toBe(401);
      expect(refused.text).not.toContain('brokerid_');
    }
    const served = await scrape({ authorization: `Bearer ${token}` }, srv);
    expect(served.status).toBe(200);
    expect(served.text).toContain('# TYPE brokerid_logins_total counter');
  });
});
