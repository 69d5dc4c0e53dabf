import { describe, expect, it } from '@jest/globals';
import { TRACE_LIMITS } from '../../src/sandbox/types.ts';
import { useSandbox } from './helpers.ts';

const sandbox = useSandbox();
let n = 0;

const run = (script: string, trace: boolean, accessToken = 'tok-secret-123') =>
  sandbox.runner().run({ cacheKey: `trace-${++n}`, script, accessToken, context: {}, trace });

describe('traced runs', () => {
  it('returns console output and request summaries, with the token and query values masked', async () => {
    const script = `function(accessToken, ctx, cb) {
      console.log('starting', { n: 1 }, accessToken);
      console.warn('careful');
      request.get({ url: '${sandbox.upstream().base}/userinfo?access_token=' + accessToken + '&x=1', headers: { Authorization: 'Bearer ' + accessToken } }, function(err, resp, body) {
        console.info('status', resp.statusCode);
        cb(null, { user_id: 'u1' });
      });
    }`;
    const result = await run(script, true);
    expect(result).toMatchObject({ ok: true, profile: { user_id: 'u1' } });
    expect(result.trace?.console).toEqual([
      { level: 'log', text: 'starting {"n":1} [access token]' },
      { level: 'warn', text: 'careful' },
      { level: 'info', text: 'status 200' },
    ]);
    expect(result.trace?.requests).toHaveLength(1);
    const [req] = result.trace!.requests;
    expect(req).toMatchObject({ method: 'GET', url: `${sandbox.upstream().base}/userinfo?access_token=…&x=…`, status: 200 });
    expect(req!.ms).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(result)).not.toContain('tok-secret-123');
  });

  it('keeps the trace of a failed run (the line of a thrown error too)', async () => {
    const result = await run('function(accessToken, ctx, cb) {\n  console.error("about to fail");\n  throw new Error("boom");\n}', true);
    expect(result).toMatchObject({ ok: false, kind: 'thrown', line: 3 });
    expect(result.trace?.console).toEqual([{ level: 'error', text: 'about to fail' }]);
  });

  it('answers a script that does not compile with its line and an empty trace', async () => {
    const result = await run('function(accessToken, ctx, cb) {\n  cb(null, { user_id: 1 }\n}', true);
    expect(result).toMatchObject({ ok: false, kind: 'syntax', trace: { console: [], truncated: false, requests: [] } });
  });

  it('records a request that failed without a status', async () => {
    const result = await run(`function(accessToken, ctx, cb) {
      request.get('http://127.0.0.1:1/nothing', function(err) { cb(null, { user_id: err ? 'failed' : 'ok' }); });
    }`, true);
    expect(result).toMatchObject({ ok: true, profile: { user_id: 'failed' } });
    expect(result.trace?.requests[0]).toMatchObject({ method: 'GET', url: 'http://127.0.0.1:1/nothing' });
    expect(result.trace?.requests[0]?.error).toBeTruthy();
    expect(result.trace?.requests[0]?.status).toBeUndefined();
  });

  it('bounds the console output and says it was truncated', async () => {
    const result = await run(`function(accessToken, ctx, cb) {
      for (var i = 0; i < 5000; i++) console.log('line ' + i);
      cb(null, { user_id: 'u' });
    }`, true);
    expect(result.ok).toBe(true);
    expect(result.trace?.console).toHaveLength(TRACE_LIMITS.lines);
    expect(result.trace?.truncated).toBe(true);
    const big = await run(`function(accessToken, ctx, cb) {
      for (var i = 0; i < 50; i++) console.log('x'.repeat(4000));
      cb(null, { user_id: 'u' });
    }`, true);
    const bytes = big.trace!.console.reduce((sum, l) => sum + Buffer.byteLength(l.text), 0);
    expect(bytes).toBeLessThanOrEqual(TRACE_LIMITS.bytes);
    expect(big.trace?.truncated).toBe(true);
  });

  it('records nothing without the option (a normal login)', async () => {
    const result = await run(`function(accessToken, ctx, cb) {
      console.log('hidden');
      request.get('${sandbox.upstream().base}/userinfo', { headers: { Authorization: 'Bearer x' } }, function() { cb(null, { user_id: 'u' }); });
    }`, false);
    expect(result).toMatchObject({ ok: true });
    expect(result.trace).toBeUndefined();
  });
});
