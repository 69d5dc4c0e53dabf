import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createScriptRunner, SandboxPool, type SupervisedRunner } from '../../src/sandbox/index.ts';
import { SCRIPT_CHECK_TIMEOUT_MS } from '../../src/sandbox/types.ts';
import { startUpstream, testLimits, type Upstream } from './helpers.ts';

let upstream: Upstream;
let runner: SupervisedRunner;
beforeAll(async () => {
  upstream = await startUpstream();
  runner = createScriptRunner(testLimits({ timeoutMs: 2000, memoryMb: 16 }));
});
afterAll(async () => {
  await runner.close();
  await upstream.close();
});

const check = (script: string) => runner.check(script);

describe('check: compiles in the sandbox, never calls the function', () => {
  it('accepts every function form a run accepts, with comments and a trailing semicolon', async () => {
    for (const script of [
      'function (accessToken, ctx, cb) { cb(null, { user_id: 1 }); }',
      'async function (accessToken, ctx) { return { user_id: 1 }; };\n\n',
      '// maps the upstream profile\n(accessToken, ctx, cb) => cb(null, { user_id: 1 })',
      'function fetchUserProfile(accessToken, ctx, cb) {\n  /* named */\n  cb(null, { user_id: 1 });\n}',
    ]) expect(await check(script)).toMatchObject({ ok: true });
  });

  it('syntax: line and column as in the script as written (its first line too)', async () => {
    const third = await check('function (accessToken, ctx, cb) {\n  var a = 1;\n  cb(null, { user_id: 1 );\n}');
    expect(third).toMatchObject({ ok: false, kind: 'syntax', line: 3, column: 25, message: "Unexpected token ')'" });
    // "  const" has const at column 3 of line 1: the "(" the script is wrapped in does not shift it.
    expect(await check('  const x = ;')).toMatchObject({ ok: false, kind: 'syntax', line: 1, column: 3 });
    // A brace left open is reported at the end of the script, not on the line the sandbox wraps it with.
    expect(await check('function (t, c, cb) {\n  cb(null, { user_id: 1 })\n  ')).toMatchObject({
      ok: false, kind: 'syntax', line: 2, column: 27, message: expect.stringContaining('Unexpected end of the script'),
    });
    expect(await check('function () {\n  await x;\n}')).toMatchObject({ ok: false, kind: 'syntax', line: 2, message: expect.stringContaining('await') });
  });

  it('not_a_function: a bare statement, a value, code outside the function that throws', async () => {
    expect(await check('cb(null, { user_id: 1 })')).toMatchObject({
      ok: false, kind: 'not_a_function', message: 'it runs code outside a function, which threw ReferenceError: cb is not defined', line: 1,
    });
    expect(await check('({ user_id: 1 })')).toMatchObject({ ok: false, kind: 'not_a_function', message: 'it evaluates to a value of type object' });
    expect(await check('undefined')).toMatchObject({ ok: false, kind: 'not_a_function', message: 'it evaluates to undefined' });
    expect(await check('\n\n  ({}).a.b')).toMatchObject({ ok: false, kind: 'not_a_function', line: 3 });
  });

  it('the function body never runs: a body that loops and makes requests passes at once and sends nothing', async () => {
    const seen = upstream.seen.length;
    const script = `function (t, c, cb) { request.get('${upstream.base}/echo', function () {}); fetch('${upstream.base}/echo'); for (;;) {} }`;
    const result = await check(script);
    expect(result).toMatchObject({ ok: true });
    expect(result.durationMs).toBeLessThan(SCRIPT_CHECK_TIMEOUT_MS);
    expect(upstream.seen.length).toBe(seen);
  });

  it('code outside the function runs only inside the isolate: its requests are refused, its loops cut short', async () => {
    const seen = upstream.seen.length;
    const requesting = await check(`(request.get('${upstream.base}/echo', function () {}), function (t, c, cb) {})`);
    expect(requesting).toMatchObject({ ok: false, kind: 'not_a_function', message: expect.stringContaining('TypeError: request: this run has ended') });
    expect(upstream.seen.length).toBe(seen);
    const looping = await check('(function () { for (;;) {} })()');
    expect(looping).toMatchObject({ ok: false, kind: 'not_a_function', message: `it runs code outside a function, which did not finish within ${SCRIPT_CHECK_TIMEOUT_MS} ms` });
    expect(looping.durationMs).toBeLessThan(SCRIPT_CHECK_TIMEOUT_MS + 500);
  });

  it('code outside the function that exhausts memory is the script\'s problem; checks and runs go on', async () => {
    const hungry = await check('(function () { var a = []; for (;;) a.push(new Array(1e6).fill(1.5)); })()');
    expect(hungry).toMatchObject({ ok: false, kind: 'not_a_function', message: expect.stringContaining('memory') });
    expect(await check('function (t, c, cb) {}')).toMatchObject({ ok: true });
    expect(await runner.run({ cacheKey: 'after-check', script: 'function (t, c, cb) { cb(null, { user_id: 1 }) }', accessToken: '', context: {} }))
      .toMatchObject({ ok: true });
  });
});

describe('check: an unavailable sandbox', () => {
  it('a sandbox process that dies during the check answers unavailable (retry), and the next check works', async () => {
    await check('function () {}'); // up and ready
    const pid = runner.pid;
    const pending = check('(function () { for (;;) {} })()');
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.kill(pid ?? 0, 'SIGKILL');
    expect(await pending).toMatchObject({ ok: false, kind: 'unavailable', message: expect.stringMatching(/sandbox could not check the script \(.*died.*\); retry$/) });
    expect(await check('function () {}')).toMatchObject({ ok: true });
    expect(runner.pid).not.toBe(pid);
  });

  it('a closed runner answers unavailable without throwing', async () => {
    const own = createScriptRunner(testLimits());
    expect(await own.check('function () {}')).toMatchObject({ ok: true });
    await own.close();
    expect(await own.check('function () {}')).toMatchObject({ ok: false, kind: 'unavailable', message: expect.stringContaining('closed') });
  });

  it('a pool checks on one of its processes', async () => {
    const pool = new SandboxPool(testLimits(), 2);
    try {
      expect(await pool.check('function () {}')).toMatchObject({ ok: true });
      expect(await pool.check('cb(null, {})')).toMatchObject({ ok: false, kind: 'not_a_function' });
    } finally {
      await pool.close();
    }
  });
});
