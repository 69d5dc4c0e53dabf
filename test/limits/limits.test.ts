import { Writable } from 'node:stream';
import { createLogger } from '../../src/lib/logger.ts';
import { memoryCounters } from '../../src/limits/counters.ts';
import { createLimits } from '../../src/limits/limits.ts';
import { limitRules } from '../../src/limits/rules.ts';
import { clientAuthAttempt } from '../../src/limits/token-guard.ts';
import type { LogEventInput } from '../../src/logs/types.ts';
import { loadConfig } from '../../src/config/load.ts';

/** The Limits contract on memory counters: decisions, one event per window, fail-open. */
function setup(counters = memoryCounters) {
  const lines: string[] = [];
  const logger = createLogger('info', new Writable({ write(chunk: Buffer, _e, done) { lines.push(chunk.toString()); done(); } }));
  const events: LogEventInput[] = [];
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: '/tmp/unused', RATE_LIMIT_TOKEN_FAILURES: '3', RATE_LIMIT_AUTHORIZE: '2' });
  const limits = createLimits({ enabled: true, rules: limitRules(config), counters, logger, sink: { emit: (e) => events.push(e) } });
  return { limits, events, lines };
}

test('a failure guard refuses once its failures reach the limit; a request limit once they pass it; one event each', async () => {
  const { limits, events, lines } = setup();
  expect((await limits.check('token_auth_client_ip', 'k')).allowed).toBe(true);
  for (let i = 0; i < 3; i++) await limits.fail('token_auth_client_ip', 'k', { ip: '127.0.0.9', client_id: 'c' });
  const refused = await limits.check('token_auth_client_ip', 'k');
  expect(refused).toMatchObject({ allowed: false, limit: 3, remaining: 0 });
  expect(refused.retryAfterSeconds).toBeGreaterThan(0);
  await limits.fail('token_auth_client_ip', 'k');
  expect((await limits.check('token_auth_client_ip', 'other')).allowed).toBe(true);

  const decisions = [];
  for (let i = 0; i < 5; i++) decisions.push(await limits.consume('authorize_ip', '127.0.0.9', { ip: '127.0.0.9' }));
  expect(decisions.map((d) => d.allowed)).toEqual([true, true, false, false, false]);
  expect(decisions.map((d) => d.remaining)).toEqual([1, 0, 0, 0, 0]);

  expect(events.map((e) => [e.type, e.details?.['limit'], e.ip])).toEqual([
    ['api_limit', 'token_auth_client_ip', '127.0.0.9'], ['api_limit', 'authorize_ip', '127.0.0.9'],
  ]);
  await new Promise((r) => setImmediate(r));
  expect(lines.filter((l) => l.includes('rate limit hit'))).toHaveLength(2);
});

test('a counter that fails lets the request through and logs why (the limiter never takes the server down)', async () => {
  const broken = () => ({
    increment: () => Promise.reject(new Error('rate limits: no answer from the cluster primary in 2000 ms')),
    peek: () => Promise.reject(new Error('rate limits: no answer from the cluster primary in 2000 ms')),
  });
  const { limits, lines } = setup(broken);
  expect((await limits.consume('authorize_ip', 'k')).allowed).toBe(true);
  expect((await limits.check('token_auth_ip', 'k')).allowed).toBe(true);
  await new Promise((r) => setImmediate(r));
  expect(lines.filter((l) => l.includes('rate limit counter unavailable'))).toHaveLength(2);
});

test('clientAuthAttempt: every client-secret check shares one budget per client + IP; other clients and IPs keep theirs', async () => {
  const { limits, events } = setup();
  for (let i = 0; i < 3; i++) {
    const attempt = await clientAuthAttempt(limits, '127.0.0.9', 'app', { user_agent: 'console' });
    expect(attempt.refused).toBeUndefined();
    await attempt.failed();
  }
  const refused = (await clientAuthAttempt(limits, '127.0.0.9', 'app')).refused;
  expect(refused).toMatchObject({ allowed: false, limit: 3 });
  expect((await clientAuthAttempt(limits, '127.0.0.9', 'other')).refused).toBeUndefined();
  expect((await clientAuthAttempt(limits, '127.0.0.10', 'app')).refused).toBeUndefined();
  expect(events).toEqual([expect.objectContaining({ type: 'api_limit', ip: '127.0.0.9', client_id: 'app', user_agent: 'console' })]);
});
