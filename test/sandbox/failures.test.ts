import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createScriptRunner, type ScriptRunner } from '../../src/sandbox/index.ts';
import { startUpstream, testLimits, type Upstream } from './helpers.ts';

const TIMEOUT_MS = 300;
let upstream: Upstream;
let runner: ScriptRunner;
let strict: ScriptRunner;
let roomy: ScriptRunner;
let n = 0;

beforeAll(async () => {
  upstream = await startUpstream();
  runner = createScriptRunner(testLimits({ timeoutMs: TIMEOUT_MS, maxRequests: 2, maxResponseBytes: 50_000 }));
  strict = createScriptRunner(testLimits({ egress: { allowInsecure: false, timeoutMs: 1000, maxBytes: 100_000 } }));
  roomy = createScriptRunner(testLimits({ timeoutMs: 10_000 }));
});
afterAll(async () => {
  await Promise.all([runner.close(), strict.close(), roomy.close()]);
  await upstream.close();
});

const run = (script: string, on: ScriptRunner = runner) => on.run({ cacheKey: `fail-${++n}`, script, accessToken: 't', context: {} });

describe('script failures are values', () => {
  it('syntax: reports the line within the admin script', async () => {
    const result = await run('function (accessToken, ctx, cb) {\n  const a = 1;\n  const b = ;\n}');
    expect(result).toMatchObject({ ok: false, kind: 'syntax', line: 3 });
    expect(result.ok || result.message).toMatch(/Unexpected token/);
  });

  it('not_a_function: refuses a script that evaluates to something else', async () => {
    expect(await run('({ user_id: 1 })')).toMatchObject({ ok: false, kind: 'not_a_function', message: expect.stringContaining('function expression') });
  });

  it('not_a_function, not crashed: a bare statement such as cb(null, {...}) says what it must be instead', async () => {
    // Evaluating it calls cb at the top level, where there is none: that error is the script's, with its line.
    const result = await run('cb(null, { user_id: 1 })');
    expect(result).toMatchObject({ ok: false, kind: 'not_a_function', line: 1 });
    expect(result.ok || result.message).toContain('function expression such as function (accessToken, ctx, cb) { ... }');
    expect(result.ok || result.message).toContain('ReferenceError: cb is not defined');
    expect(await run('\n  ({}).profile.id')).toMatchObject({ ok: false, kind: 'not_a_function', line: 2, message: expect.stringContaining('TypeError') });
    expect(await run('42')).toMatchObject({ ok: false, kind: 'not_a_function', message: expect.stringContaining('evaluates to a value of type number') });
  });

  it('thrown, not crashed: a script that breaks the sandbox helpers in its own context', async () => {
    // The helpers' own call then fails outside the script's frames, but the isolate is alive: the script is to blame.
    const tampered = `function (t, c, cb) {
      Map.prototype.get = function () { throw new Error('tampered with Map'); };
      request.get('${upstream.base}/slow', function () { cb(null, { user_id: 1 }); });
    }`;
    expect(await run(tampered)).toMatchObject({ ok: false, kind: 'thrown', message: 'tampered with Map', line: 2 });
    expect(await run('function (t, c, cb) { cb(null, { user_id: "next" }) }')).toMatchObject({ ok: true });
  });

  it('thrown: reports message and line, also from inside a request callback', async () => {
    expect(await run('function (t, ctx, cb) {\n\n  null.x;\n}')).toMatchObject({ ok: false, kind: 'thrown', line: 3, message: expect.stringContaining('null') });
    const later = `function (t, ctx, cb) {
      request.get('${upstream.base}/slow', function () {
        throw new Error('parse failed');
      });
    }`;
    expect(await run(later)).toMatchObject({ ok: false, kind: 'thrown', message: 'parse failed', line: 3 });
    expect(await run('async function () {\n  throw new TypeError("bad");\n}')).toMatchObject({ ok: false, kind: 'thrown', message: 'bad', line: 2 });
  });

  it('thrown: a request the script got wrong is a TypeError in the script', async () => {
    expect(await run('function (t, c, cb) {\n  request.get({ qs: { a: 1 } }, function () {});\n}')).toMatchObject({
      ok: false, kind: 'thrown', message: 'request: options.url is required', line: 2,
    });
  });

  it('callback_error: cb(err) with an Error or a string', async () => {
    expect(await run('function (t, c, cb) {\n  cb(new Error("denied by upstream"));\n}')).toMatchObject({ ok: false, kind: 'callback_error', message: 'denied by upstream', line: 2 });
    expect(await run('function (t, c, cb) { cb("plain") }')).toMatchObject({ ok: false, kind: 'callback_error', message: 'plain' });
  });

  it('timeout: an infinite loop', async () => {
    const result = await run('function (t, c, cb) { while (true) {} }');
    expect(result).toMatchObject({ ok: false, kind: 'timeout' });
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + 300);
  });

  it('timeout: an infinite loop after an await', async () => {
    const result = await run(`async function () { await fetch('${upstream.base}/slow'); for (;;) {} }`);
    expect(result).toMatchObject({ ok: false, kind: 'timeout' });
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + 300);
  });

  it('timeout: a promise that never resolves, and a request that never answers', async () => {
    const never = await run('async function () { await new Promise(function () {}); }');
    expect(never).toMatchObject({ ok: false, kind: 'timeout' });
    expect(never.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    const hanging = await run(`function (t, c, cb) { request.get('${upstream.base}/never', function () { cb(null, { user_id: 1 }) }) }`);
    expect(hanging).toMatchObject({ ok: false, kind: 'timeout' });
  });

  it('memory: a blow-up is reported and the next run still works', async () => {
    // Time enough to fill the heap on a loaded machine (with TIMEOUT_MS it can end as timeout first).
    const blowUp = await run('function (t, c, cb) { const a = []; for (;;) a.push(new Array(1e5).fill(1.5)); }', roomy);
    expect(blowUp).toMatchObject({ ok: false, kind: 'memory' });
    expect(await run('function (t, c, cb) { cb(null, { user_id: "after" }) }', roomy)).toMatchObject({ ok: true, profile: { user_id: 'after' } });
  });

  it('no_callback: reported as soon as nothing can call back', async () => {
    const result = await run('function (accessToken, ctx, cb) { var unused = 1; }');
    expect(result).toMatchObject({ ok: false, kind: 'no_callback' });
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS / 2);
    const afterRequest = await run(`function (t, c, cb) { request.get('${upstream.base}/slow', function () {}) }`);
    expect(afterRequest).toMatchObject({ ok: false, kind: 'no_callback' });
  });

  it('egress_denied: http and loopback when insecure upstreams are not allowed', async () => {
    const seen = upstream.seen.length;
    const http = await run(`function (t, c, cb) { request.get('${upstream.base}/userinfo', function (err) { cb(err) }) }`, strict);
    expect(http).toMatchObject({ ok: false, kind: 'egress_denied' });
    const loopback = await run(`async function () { await fetch('https://tenant.localhost:1/userinfo?token=SECRET'); }`, strict);
    expect(loopback).toMatchObject({ ok: false, kind: 'egress_denied', message: expect.stringContaining('tenant.localhost') });
    expect(loopback.ok || loopback.message).not.toContain('SECRET');
    expect(upstream.seen.length).toBe(seen);
  });

  it('request_limit: too many requests, or too many response bytes', async () => {
    const many = `async function () { for (let i = 0; i < 3; i++) await fetch('${upstream.base}/echo'); return { user_id: 1 }; }`;
    expect(await run(many)).toMatchObject({ ok: false, kind: 'request_limit', message: expect.stringContaining('2 requests') });
    const big = `function (t, c, cb) { request.get('${upstream.base}/big', function (err, res, body) { cb(null, { user_id: body.length }) }) }`;
    expect(await run(big)).toMatchObject({ ok: false, kind: 'request_limit' });
    // Two requests in parallel share one budget (30 kB each, 50 kB per run): the total is what counts.
    const one = `async function () { const r = await fetch('${upstream.base}/medium'); return { user_id: (await r.text()).length }; }`;
    expect(await run(one)).toMatchObject({ ok: true, profile: { user_id: 30_000 } });
    const parallel = `async function () {
      const rs = await Promise.all([fetch('${upstream.base}/medium'), fetch('${upstream.base}/medium')]);
      return { user_id: (await rs[0].text()).length + (await rs[1].text()).length };
    }`;
    expect(await run(parallel)).toMatchObject({ ok: false, kind: 'request_limit' });
  });

  it('invalid_result: says what is missing', async () => {
    expect(await run('function (t, c, cb) { cb(null, { email: "a@b.c" }) }')).toMatchObject({
      ok: false, kind: 'invalid_result', message: expect.stringContaining('user_id'),
    });
    expect(await run('function (t, c, cb) { cb(null, [1]) }')).toMatchObject({ ok: false, kind: 'invalid_result' });
    expect(await run('async function () { const o = {}; o.self = o; o.user_id = 1; return o; }')).toMatchObject({
      ok: false, kind: 'invalid_result', message: expect.stringContaining('JSON'),
    });
  });

  it('network errors reach the script as err', async () => {
    const script = `function (t, c, cb) { request.get('http://127.0.0.1:1/', function (err) { cb(null, { user_id: err.message }) }) }`;
    expect(await run(script)).toMatchObject({ ok: true, profile: { user_id: 'request to 127.0.0.1 failed: ECONNREFUSED' } });
  });
});
