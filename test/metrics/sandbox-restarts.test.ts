import { createMetrics } from '../../src/metrics/index.ts';
import { SupervisedRunner } from '../../src/sandbox/index.ts';
import { testLimits } from '../sandbox/helpers.ts';
import { sample } from '../support/metrics.ts';

/** The supervisor counts each sandbox process it replaces, by reason. */

const ok = 'function (accessToken, ctx, cb) { cb(null, { user_id: "alive" }); }';

test('a killed sandbox process is replaced and counted as crashed; an unresponsive one as unresponsive', async () => {
  const metrics = createMetrics();
  const runner = new SupervisedRunner(testLimits({ timeoutMs: 300 }), metrics);
  let n = 0;
  const run = (script: string) => runner.run({ cacheKey: `restart-${++n}`, script, accessToken: 't', context: {} });
  try {
    expect(await run(ok)).toMatchObject({ ok: true });
    const restarts = async (reason: string) => sample(await metrics.render(), 'brokerid_sandbox_restarts_total', { reason });
    expect(await restarts('crashed')).toBe(0);

    const pid = runner.pid;
    process.kill(pid ?? 0, 'SIGKILL');
    for (const deadline = Date.now() + 5000; runner.pid === pid && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
    expect(await restarts('crashed')).toBe(1);

    expect(await run(ok)).toMatchObject({ ok: true });
    const frozen = runner.pid;
    const pending = run('async function () { await new Promise(function () {}); }');
    await new Promise((r) => setTimeout(r, 20));
    process.kill(frozen ?? 0, 'SIGSTOP');
    expect(await pending).toMatchObject({ ok: false, kind: 'timeout' });
    expect(await restarts('unresponsive')).toBe(1);
    expect(await restarts('crashed')).toBe(1);
  } finally {
    await runner.close();
  }
});
