import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetrics } from '../../src/metrics/index.ts';
import { SandboxPool, SupervisedRunner } from '../../src/sandbox/index.ts';
import { testLimits } from '../sandbox/helpers.ts';
import { sample } from '../support/metrics.ts';

/** The queue-depth gauge counts what the sandbox holds: up while runs wait, back to 0 however they end. */

/** A loopback "userinfo" that answers only when told to, so runs stay in flight as long as the test needs. */
async function heldUpstream(): Promise<{ url: string; held: () => number; release: () => void; close: () => Promise<void> }> {
  const waiting: ServerResponse[] = [];
  const server = createServer((_req, res) => void waiting.push(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/me`,
    held: () => waiting.length,
    release: () => waiting.splice(0).forEach((res) => res.end('{"id":"u"}')),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const waitFor = async (what: () => boolean | Promise<boolean>): Promise<void> => {
  for (const deadline = Date.now() + 20_000; !(await what()) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 10));
};

const script = (url: string): string => `function (t, c, cb) {
  request.get({ url: '${url}', json: true }, function (err, res, body) { err ? cb(err) : cb(null, { user_id: body.id }); });
}`;

// Deadlines far beyond the test's needs: a run must stay in flight until the test answers it, even on a loaded machine.
test('counts runs in flight across the processes of a pool, and falls back to 0 as they are answered', async () => {
  const metrics = createMetrics();
  const depth = async () => sample(await metrics.render(), 'brokerid_sandbox_queue_depth');
  const upstream = await heldUpstream();
  const pool = new SandboxPool(testLimits({ timeoutMs: 30_000, egress: { allowInsecure: true, timeoutMs: 30_000, maxBytes: 100_000 } }), 2, metrics);
  try {
    expect(await depth()).toBe(0);
    const runs = Array.from({ length: 3 }, (_, i) => pool.run({ cacheKey: 'held', script: script(upstream.url), accessToken: `t${i}`, context: {} }));
    await waitFor(() => upstream.held() === 3);
    expect(await depth()).toBe(3);
    const check = pool.check('function (t, c, cb) { cb(null, { user_id: 1 }); }');
    expect(await depth()).toBe(4);
    expect(await check).toMatchObject({ ok: true });
    expect(await depth()).toBe(3);
    upstream.release();
    expect((await Promise.all(runs)).map((r) => (r.ok ? r.profile.user_id : r.kind))).toEqual(['u', 'u', 'u']);
    expect(await depth()).toBe(0);
  } finally {
    await pool.close();
    await upstream.close();
  }
});

test('a run lost with its process, or cut off by the runner closing, leaves the queue', async () => {
  const metrics = createMetrics();
  const depth = async () => sample(await metrics.render(), 'brokerid_sandbox_queue_depth');
  const upstream = await heldUpstream();
  const runner = new SupervisedRunner(testLimits({ timeoutMs: 30_000, egress: { allowInsecure: true, timeoutMs: 30_000, maxBytes: 100_000 } }), metrics);
  const run = () => runner.run({ cacheKey: 'held', script: script(upstream.url), accessToken: 't', context: {} });
  try {
    const lost = run();
    await waitFor(() => upstream.held() === 1);
    expect(await depth()).toBe(1);
    process.kill(runner.pid ?? 0, 'SIGKILL');
    expect(await lost).toMatchObject({ ok: false, kind: 'crashed' });
    expect(await depth()).toBe(0);

    const cut = run();
    await waitFor(async () => (await depth()) === 1 && upstream.held() === 2);
    await runner.close();
    expect(await cut).toMatchObject({ ok: false, kind: 'crashed' });
    expect(await depth()).toBe(0);
    expect(await runner.run({ cacheKey: 'x', script: 'function (t, c, cb) { cb(null, { user_id: 1 }); }', accessToken: '', context: {} }))
      .toMatchObject({ ok: false, kind: 'crashed' });
    expect(await depth()).toBe(0);
  } finally {
    await runner.close();
    await upstream.close();
  }
});
