import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { LimitsHub, type Peer } from '../../src/limits/cluster-hub.ts';
import { requestAllowance, workerCounters } from '../../src/limits/cluster-counters.ts';
import type { ToPrimary, ToWorker } from '../../src/limits/cluster-protocol.ts';
import { createLimits } from '../../src/limits/limits.ts';
import type { Port } from '../../src/limits/primary-link.ts';
import { limitRules } from '../../src/limits/rules.ts';
import type { Limits } from '../../src/limits/types.ts';
import type { LogEventInput } from '../../src/logs/types.ts';

/**
 * The cluster counters (types.ts: "With WORKERS = N > 1") with N workers in this process:
 * the real hub, the real worker counters, and a channel per worker that delivers copies of
 * each message in order on a later turn of the event loop, as node:cluster IPC does.
 */

interface Worker { limits: Limits; sent: ToPrimary[] }

function cluster(n: number, settings: Record<string, string>) {
  const hub = new LimitsHub();
  const events: LogEventInput[] = [];
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: '/tmp/unused', ...settings });
  const rules = limitRules(config);
  const logger = createLogger('info', new Writable({ write(_c, _e, done) { done(); } }));
  const join = (id: number): Worker => {
    let deliver: (msg: ToWorker) => void = () => {};
    const peer: Peer = { id, send: (msg) => { const copy = structuredClone(msg); setImmediate(() => deliver(copy)); } };
    const sent: ToPrimary[] = [];
    const port: Port = {
      send: (msg) => {
        sent.push(msg);
        const copy = structuredClone(msg);
        setImmediate(() => hub.receive(peer, copy));
      },
      onMessage: (handler) => { deliver = handler; },
    };
    const limits = createLimits({ enabled: true, rules, counters: workerCounters(n, port), logger, sink: { emit: (e) => events.push(e) } });
    return { limits, sent };
  };
  return { hub, events, rules, join, workers: Array.from({ length: n }, (_, i) => join(i + 1)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const admitted = async (calls: Array<Promise<{ allowed: boolean }>>) => (await Promise.all(calls)).filter((d) => d.allowed).length;

test('a request limit holds across workers within points + N × A, and never refuses below the limit', async () => {
  const P = 300;
  const { workers, events } = cluster(3, { RATE_LIMIT_AUTHORIZE: String(P) });
  const A = requestAllowance(P, 3);
  expect(A).toBe(10);
  let allowed = 0;
  // Waves of concurrent requests spread unevenly over the workers, with pauses that let some flushes land and not others.
  for (let wave = 0; wave < 40; wave++) {
    const calls = Array.from({ length: 25 }, (_, i) => workers[(wave * 7 + i * i) % 3]!.limits.consume('authorize_ip', '127.0.0.9', { ip: '127.0.0.9' }));
    allowed += await admitted(calls);
    await sleep(wave % 3 === 0 ? 25 : 1);
  }
  // 1000 requests: at least the limit got through, at most the documented bound.
  expect(allowed).toBeGreaterThanOrEqual(P);
  expect(allowed).toBeLessThanOrEqual(P + 3 * A);
  // Once the counts have met at the primary, every worker refuses.
  await sleep(50);
  for (const w of workers) expect((await w.limits.consume('authorize_ip', '127.0.0.9')).allowed).toBe(false);
  // One api_limit event for the key, not one per worker.
  expect(events.filter((e) => e.details?.['limit'] === 'authorize_ip')).toHaveLength(1);
});

test('the worst case: each worker admits up to its allowance beyond what it has heard, and no more', async () => {
  const P = 200;
  const { workers, events } = cluster(2, { RATE_LIMIT_AUTHORIZE: String(P) });
  const A = requestAllowance(P, 2);
  expect(A).toBe(10);
  const [one, two] = workers as [Worker, Worker];
  expect(await admitted(Array.from({ length: P - A }, () => one.limits.consume('authorize_ip', 'k')))).toBe(P - A);
  await sleep(40); // one's counts reach the primary; two has never counted the key, so it knows a total of 0
  // In the same instant, each admits A on its own (one: P - A + A is within the limit; two: 0 + A),
  // then asks the primary, which refuses: P + A in all, within P + N × A.
  const burst = await admitted([...Array.from({ length: 30 }, () => one.limits.consume('authorize_ip', 'k')),
    ...Array.from({ length: 30 }, () => two.limits.consume('authorize_ip', 'k'))]);
  expect(burst).toBe(2 * A);
  expect(P - A + burst).toBeGreaterThan(P);
  expect(P - A + burst).toBeLessThanOrEqual(P + 2 * A);
  await sleep(40);
  expect(await admitted(Array.from({ length: 20 }, (_, i) => workers[i % 2]!.limits.consume('authorize_ip', 'k')))).toBe(0);
  expect(events.filter((e) => e.details?.['limit'] === 'authorize_ip')).toHaveLength(1);
});

test('a limit below 10 × N has no allowance: exact across workers', async () => {
  const { workers } = cluster(2, { RATE_LIMIT_LOGIN: '5' });
  expect(requestAllowance(5, 2)).toBe(0);
  const calls = Array.from({ length: 40 }, (_, i) => workers[i % 2]!.limits.consume('login_ip', 'k'));
  expect(await admitted(calls)).toBe(5);
});

test('a worker decides most requests alone: one message per flush, not per request, and the primary counts them all', async () => {
  const { hub, workers } = cluster(2, { RATE_LIMIT_AUTHORIZE: '10000' });
  const [one] = workers as [Worker];
  for (let i = 0; i < 200; i++) expect((await one.limits.consume('authorize_ip', `ip-${i % 4}`)).allowed).toBe(true);
  await sleep(40);
  const adds = one.sent.filter((m) => m.t === 'add');
  expect(adds.length).toBeLessThanOrEqual(2);
  expect(adds.flatMap((m) => (m.t === 'add' ? m.items : [])).reduce((sum, item) => sum + item.n, 0)).toBe(200);
  // The primary's count is what the other worker now starts from.
  let seen: { total: number } | undefined;
  hub.receive({ id: 99, send: (msg) => { if (msg.t === 'added') seen = msg.states[0]; } },
    { brokeridLimits: 1, t: 'add', id: 1, items: [{ name: 'brokerid:authorize_ip', rule: { points: 10000, durationSeconds: 60 }, key: 'ip-0', n: 0 }] });
  expect(seen?.total).toBe(50);
});

test('the window ends at the primary and on the workers: the key is admitted again', async () => {
  const { workers } = cluster(2, { RATE_LIMIT_LOGIN: '4', RATE_LIMIT_WINDOW: '1' });
  const calls = () => Array.from({ length: 8 }, (_, i) => workers[i % 2]!.limits.consume('login_ip', 'k'));
  expect(await admitted(calls())).toBe(4);
  await sleep(1100);
  expect(await admitted(calls())).toBe(4);
});

test('failure limits are exact across workers, and the check in front of each request sends no message', async () => {
  const c = cluster(2, { RATE_LIMIT_TOKEN_FAILURES: '3' });
  const [one, two] = c.workers as [Worker, Worker];
  expect((await two.limits.check('token_auth_client_ip', 'k')).allowed).toBe(true);
  for (let i = 0; i < 3; i++) {
    // Alternate workers: each failure is in the other's mirror by the time it is answered.
    await (i % 2 ? two : one).limits.fail('token_auth_client_ip', 'k', { ip: '127.0.0.9' });
  }
  const before = two.sent.length;
  const refused = await two.limits.check('token_auth_client_ip', 'k');
  expect(refused).toMatchObject({ allowed: false, limit: 3, remaining: 0 });
  expect((await one.limits.check('token_auth_client_ip', 'k')).allowed).toBe(false);
  for (let i = 0; i < 50; i++) await two.limits.check('token_auth_client_ip', `other-${i}`);
  expect(two.sent.length).toBe(before);
  // A worker started later gets the failures counted before it.
  const late = c.join(3);
  expect((await late.limits.check('token_auth_client_ip', 'k')).allowed).toBe(false);
  expect(c.events.filter((e) => e.details?.['limit'] === 'token_auth_client_ip')).toHaveLength(1);
});

test('a failure waits for the other workers\' mirrors, but not for a worker that has gone', async () => {
  const hub = new LimitsHub();
  const answers: ToWorker[] = [];
  const silent: Peer = { id: 2, send: () => {} }; // never acks
  hub.receive(silent, { brokeridLimits: 1, t: 'hello', id: 1 });
  const sender: Peer = { id: 1, send: (msg) => answers.push(msg) };
  hub.receive(sender, { brokeridLimits: 1, t: 'hello', id: 1 });
  hub.receive(sender, { brokeridLimits: 1, t: 'fail', id: 2, name: 'f', rule: { points: 3, durationSeconds: 60 }, key: 'k' });
  expect(answers.map((m) => m.t)).toEqual(['welcome']);
  hub.leave(2);
  expect(answers.map((m) => m.t)).toEqual(['welcome', 'failed']);
});
