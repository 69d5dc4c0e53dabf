import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { SandboxPool, SupervisedRunner } from '../../src/sandbox/index.ts';
import { startUpstream, testLimits, type Upstream } from './helpers.ts';

let upstream: Upstream;
let pool: SandboxPool;
beforeAll(async () => {
  upstream = await startUpstream();
  pool = new SandboxPool(testLimits({ timeoutMs: 3000, memoryMb: 16 }), 2);
});
afterAll(async () => {
  await pool.close();
  await upstream.close();
});

const HUNGRY = 'function (t, c, cb) { var a = []; while (true) a.push(new Array(100000).fill("x")); }';
// Waits on a slow request so it is still in flight while the other run blows its memory.
const PATIENT = () => `function (t, c, cb) { request.get('${upstream.base}/slower', function (err) { cb(err, { user_id: 7 }); }); }`;

it('spreads runs over its processes, so a memory blow-up does not fail the run beside it', async () => {
  expect(new Set(pool.pids).size).toBe(2);
  const patient = pool.run({ cacheKey: 'patient', script: PATIENT(), accessToken: 't', context: {} });
  const hungry = pool.run({ cacheKey: 'hungry', script: HUNGRY, accessToken: 't', context: {} });
  expect(await hungry).toMatchObject({ ok: false, kind: 'memory' });
  expect(await patient).toMatchObject({ ok: true, profile: { user_id: 7 } });
  // And the pool keeps working afterwards.
  expect(await pool.run({ cacheKey: 'after', script: 'function (t, c, cb) { cb(null, { user_id: 1 }) }', accessToken: 't', context: {} }))
    .toMatchObject({ ok: true });
});

it('with a single process the same blow-up takes the run beside it down too (why the pool exists)', async () => {
  const single = new SupervisedRunner(testLimits({ timeoutMs: 3000, memoryMb: 16 }));
  try {
    const patient = single.run({ cacheKey: 'patient', script: PATIENT(), accessToken: 't', context: {} });
    const hungry = single.run({ cacheKey: 'hungry', script: HUNGRY, accessToken: 't', context: {} });
    expect(await hungry).toMatchObject({ ok: false, kind: 'memory' });
    expect(await patient).toMatchObject({ ok: false });
  } finally {
    await single.close();
  }
});
