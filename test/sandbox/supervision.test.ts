import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { createScriptRunner, type SupervisedRunner } from '../../src/sandbox/index.ts';
import { deathOutcome, type SandboxProcess } from '../../src/sandbox/sandbox-process.ts';
import { startUpstream, testLimits, type Upstream } from './helpers.ts';

const TIMEOUT_MS = 400;
let upstream: Upstream;
let runner: SupervisedRunner;
let n = 0;

beforeAll(async () => {
  upstream = await startUpstream();
  runner = createScriptRunner(testLimits({ timeoutMs: TIMEOUT_MS, maxRequests: 5 }));
});
afterAll(async () => {
  await runner.close();
  await upstream.close();
});

const run = (script: string, accessToken = 't') => runner.run({ cacheKey: `sup-${++n}`, script, accessToken, context: {} });
const ok = 'function (t, c, cb) { cb(null, { user_id: "alive" }) }';

describe('isolation between runs', () => {
  it('never shows one run the globals or prototypes another run changed', async () => {
    const key = 'shared-key'; // same compiled script, still a fresh context each time
    const script = `function (t, c, cb) {
      const seen = { leak: typeof leaked, proto: ({}).polluted, json: JSON.stringify({ a: 1 }), count: globalThis.counter || 0 };
      leaked = 'yes';
      Object.prototype.polluted = 'yes';
      JSON.stringify = function () { return 'hijacked'; };
      globalThis.counter = seen.count + 1;
      cb(null, { user_id: 'u', seen: seen });
    }`;
    const first = await runner.run({ cacheKey: key, script, accessToken: '', context: {} });
    const second = await runner.run({ cacheKey: key, script, accessToken: '', context: {} });
    const fresh = { leak: 'undefined', json: '{"a":1}', count: 0 };
    expect(first).toMatchObject({ ok: true, profile: { seen: fresh } });
    expect(second).toMatchObject({ ok: true, profile: { seen: fresh } });
    expect(second.ok && (second.profile.seen as Record<string, unknown>).proto).toBeUndefined();
  });

  it('runs many scripts concurrently, each with its own token and requests', async () => {
    const script = `function (accessToken, ctx, cb) {
      request.get({ url: '${upstream.base}/slow', headers: { Authorization: 'Bearer ' + accessToken } }, function (err, res, body) {
        if (err) return cb(err);
        cb(null, { user_id: JSON.parse(body).id });
      });
    }`;
    const tokens = Array.from({ length: 25 }, (_, i) => `user-${i}`);
    const results = await Promise.all(tokens.map((token) => runner.run({ cacheKey: 'concurrent', script, accessToken: token, context: {} })));
    expect(results.map((r) => (r.ok ? r.profile.user_id : r.message))).toEqual(tokens);
  });

  it('keeps other runs going while one loops forever', async () => {
    const [looping, fine] = await Promise.all([run('function () { for (;;) {} }'), run(ok)]);
    expect(looping).toMatchObject({ ok: false, kind: 'timeout' });
    expect(fine).toMatchObject({ ok: true });
  });
});

describe('supervision of the sandbox process', () => {
  it('resolves in-flight runs as crashed when the process dies, then replaces it', async () => {
    const pid = runner.pid;
    const pending = run('async function () { await new Promise(function () {}); }');
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.kill(pid ?? 0, 'SIGKILL');
    expect(await pending).toMatchObject({ ok: false, kind: 'crashed' });
    expect(await run(ok)).toMatchObject({ ok: true, profile: { user_id: 'alive' } });
    expect(runner.pid).not.toBe(pid);
  });

  it('answers timeout on time even when the process is frozen, and replaces it', async () => {
    await run(ok); // the process is up and ready
    const pid = runner.pid;
    const pending = run('async function () { await new Promise(function () {}); }');
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.kill(pid ?? 0, 'SIGSTOP'); // stands in for an event loop hung by the isolate
    const result = await pending;
    expect(result).toMatchObject({ ok: false, kind: 'timeout' });
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + 600);
    expect(await run(ok)).toMatchObject({ ok: true });
    expect(runner.pid).not.toBe(pid);
  });

  it('resolves runs after close() as crashed without throwing', async () => {
    const own = createScriptRunner(testLimits());
    expect(await own.run({ cacheKey: 'c', script: ok, accessToken: '', context: {} })).toMatchObject({ ok: true });
    const inFlight = own.run({ cacheKey: 'd', script: 'async function () { await new Promise(function () {}); }', accessToken: '', context: {} });
    await own.close();
    expect(await inFlight).toMatchObject({ ok: false, kind: 'crashed' });
    expect(await own.run({ cacheKey: 'c', script: ok, accessToken: '', context: {} })).toMatchObject({ ok: false, kind: 'crashed' });
  });

  it('tells a death by memory from other crashes (V8 says so on stderr before aborting)', () => {
    const child = (stderrTail: string, ready = true): SandboxProcess =>
      ({ proc: {} as ChildProcess, ready, stderrTail, lastPong: 0, unresponsive: false, retired: false });
    const oom = '<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n';
    expect(deathOutcome(child(oom), null, 'SIGABRT')).toMatchObject({ kind: 'memory' });
    expect(deathOutcome(child(''), null, 'SIGSEGV')).toMatchObject({ kind: 'crashed', message: expect.stringContaining('SIGSEGV') });
    expect(deathOutcome(child('', false), 1, null)).toMatchObject({ kind: 'crashed', message: expect.stringContaining('failed to start') });
  });
});
