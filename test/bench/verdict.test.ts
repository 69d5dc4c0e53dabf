import { markdown, type SandboxCase, type Step } from '../../bench/lib/report.ts';
import { assemble, type RunSettings } from '../../bench/lib/verdict.ts';

/** The bench's verdicts on issue 13's targets, from hand-made steps: each target can fail, and fails for the right reason. */

const settings: RunSettings = { warmupMs: 1, durationMs: 1, concurrency: [8, 32, 128], scaleConcurrency: 32, defaultWorkers: 2, quick: true };

function step(id: string, rate: number, cpuMs: number, extra: Partial<Step> = {}): Step {
  const p = { p50: 10, p95: 20, p99: 30, mean: 12, max: 40 };
  return {
    id, title: id, target: 'brokerid', scenario: 'brokered login', concurrency: 32, workers: 1, rate, latencyMs: p, completed: rate, errors: 0,
    errorSamples: [], serverCpuCores: (rate * cpuMs) / 1000, serverPeakRssMb: 300, serverHwmMb: 300, serverProcesses: 3, serverCpuParts: {}, serverPeakRssPartsMb: {},
    serverCpuMsPerOp: cpuMs, upstreamCpuCores: 0, driverCpuCores: 0, otherCpuCores: 0, hops: {}, ...extra,
  };
}

const sandboxCase = (p50: number): SandboxCase => ({ runs: 100, runsPerSecond: 1000, latencyUs: { p50, p95: p50, p99: p50, mean: p50, max: p50 } });
const sandbox = { 'runner constant profile': sandboxCase(150), 'runner constant profile, back to back': sandboxCase(250) };

/** A run that meets every target; `change` replaces steps by id. */
function run(change: Step[] = [], sb: Record<string, SandboxCase> = sandbox) {
  const steps = [
    ...[8, 32, 128].flatMap((c) => [step(`brokered-${c}`, 600, 3), step(`baseline-${c}`, 900, 1.5), step(`peer-${c}`, 250, 7)]),
    step('tokens', 2800, 0.5), step('tokens-baseline', 3000, 0.5), step('workers-1', 400, 3),
    step('scale-connections', 590, 3),
    step('features-off-1', 600, 3), step('features-on-1', 590, 3.1), step('features-off-2', 610, 3), step('features-on-2', 580, 3.1),
    step('store-empty-1', 600, 3), step('store-full-1', 560, 3.2), step('store-empty-2', 600, 3), step('store-full-2', 580, 3.2),
  ].map((s) => change.find((c) => c.id === s.id) ?? s);
  return assemble(steps, sb, settings, 100);
}
const verdict = (r: ReturnType<typeof run>, name: RegExp) => {
  const t = r.targets.find((target) => name.test(target.name));
  if (!t) throw new Error(`no target ${name}`);
  return t;
};

describe('bench verdicts', () => {
  test('a run that meets every target says so, with the peer ratio and its CPU per login', () => {
    const r = run();
    expect(r.targets.filter((t) => !t.met).map((t) => t.name)).toEqual([]);
    expect(r.ratios['brokered/peer@32']).toBe(2.4);
    expect(verdict(r, /better-auth/).measured).toContain('better-auth 7 / 7 / 7 ms');
    expect(markdown(r)).toContain('| peer-128 | 32 | 250 |');
  });

  test('the peer target fails below 2× at any concurrency, and when either side failed logins', () => {
    expect(verdict(run([step('peer-128', 301, 7)]), /better-auth/).met).toBe(false);
    const failed = verdict(run([step('peer-8', 100, 7, { errors: 40 })]), /better-auth/);
    expect(failed.met).toBe(false);
    expect(failed.measured).toContain('40 failed logins');
  });

  test('CPU per login may grow at most 10 % from C=32 to C=128', () => {
    expect(verdict(run([step('brokered-128', 600, 3.29)]), /CPU per login, C=128/).met).toBe(true);
    expect(verdict(run([step('brokered-128', 600, 3.36)]), /CPU per login, C=128/).met).toBe(false);
  });

  test('peak RSS of the tree at C=32 is judged against 400 MB', () => {
    expect(verdict(run([step('brokered-32', 600, 3, { serverPeakRssMb: 401 })]), /peak RSS/).met).toBe(false);
  });

  test('machine tokens need 0.9× the baseline; every C needs 0.6× plain oidc-provider', () => {
    expect(verdict(run([step('tokens', 2600, 0.5)]), /Machine tokens/).met).toBe(false);
    expect(verdict(run([step('brokered-8', 500, 3)]), /plain oidc-provider \(logins/).met).toBe(false);
  });

  test('a step that completed nothing fails the errors line even with no error counted', () => {
    const t = verdict(run([step('peer-128', 0, 0, { completed: 0 })]), /^Errors/);
    expect(t.met).toBe(false);
    expect(t.measured).toContain('nothing completed in peer-128');
  });

  test('the A B A B comparisons are judged on the mean of each side: features on/off at 0.95x, full/empty store at 0.9x', () => {
    const ok = run();
    expect(ok.ratios['features on/off']).toBe(0.97); // (590 + 580) / (600 + 610)
    expect(ok.ratios['store full/empty']).toBe(0.95); // (560 + 580) / (600 + 600)
    expect(verdict(ok, /logs, rate limits and metrics/).measured).toContain('3 → 3.1 ms');
    // One slow round of either side pulls its mean down: on 0.93x of off fails, though one round alone would pass.
    const slowOn = run([step('features-on-2', 540, 3.3)]);
    expect(slowOn.ratios['features on/off']).toBe(0.93);
    expect(verdict(slowOn, /logs, rate limits and metrics/).met).toBe(false);
    const slowFull = run([step('store-full-1', 480, 3.6)]);
    expect(slowFull.ratios['store full/empty']).toBe(0.88);
    expect(verdict(slowFull, /log events vs. an empty store/).met).toBe(false);
    expect(verdict(run(), /log events vs. an empty store/).met).toBe(true);
  });

  test('the sandbox target is the back-to-back run, not the idle one', () => {
    const r = run([], { ...sandbox, 'runner constant profile, back to back': sandboxCase(320) });
    expect(verdict(r, /fetchUserProfile/).met).toBe(false);
    expect(verdict(run([], { 'runner constant profile': sandboxCase(100) }), /fetchUserProfile/).met).toBe(false);
  });
});
