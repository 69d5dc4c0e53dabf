import { ANCHORS, machine, type Results, type SandboxCase, type Step, type Target } from './report.ts';
import { ratio, round } from './stats.ts';

/** Turns the measured steps into the ratios the issue asks for and the targets it sets. */

export interface RunSettings { warmupMs: number; durationMs: number; concurrency: number[]; scaleConcurrency: number; defaultWorkers: number; quick: boolean }

export function assemble(steps: Step[], sandbox: Record<string, SandboxCase>, settings: RunSettings, wallSeconds: number): Results {
  const { concurrency, scaleConcurrency: sc } = settings;
  const by = (id: string): Step | undefined => steps.find((s) => s.id === id);
  const rate = (id: string): number => by(id)?.rate ?? 0;
  const cpu = (id: string): number => by(id)?.serverCpuMsPerOp ?? 0;
  const ratios: Record<string, number | null> = {};
  for (const c of concurrency) ratios[`brokered/baseline@${c}`] = ratio(rate(`brokered-${c}`), rate(`baseline-${c}`));
  ratios[`brokered 1 worker/baseline@${sc}`] = ratio(rate('workers-1'), rate(`baseline-${sc}`));
  ratios['tokens/baseline'] = ratio(rate('tokens'), rate('tokens-baseline'));
  ratios['connections 10k/10'] = ratio(rate('scale-connections'), rate(`brokered-${sc}`));
  ratios['users 100k/100'] = ratio(rate('scale-users'), rate('scale-connections'));
  ratios['workers 1/default'] = ratio(rate('workers-1'), rate(`brokered-${sc}`));
  // The same comparisons by server CPU per operation: insensitive to how much CPU the machine had to give.
  for (const c of concurrency) ratios[`CPU per login, baseline/brokered@${c}`] = ratio(cpu(`baseline-${c}`), cpu(`brokered-${c}`));
  ratios['CPU per token, baseline/ours'] = ratio(cpu('tokens-baseline'), cpu('tokens'));
  ratios['CPU per login, 10 / 10k connections'] = ratio(cpu(`brokered-${sc}`), cpu('scale-connections'));
  ratios['CPU per login, 100 / 100k users'] = ratio(cpu('scale-connections'), cpu('scale-users'));

  const sandboxP50 = sandbox['runner constant profile']?.latencyUs.p50 ?? Infinity;
  const backToBack = sandbox['runner constant profile, back to back']?.latencyUs.p50;
  const loginRatios = concurrency.map((c) => ratios[`brokered/baseline@${c}`] ?? 0);
  const p99 = by(`brokered-${sc}`)?.latencyMs.p99 ?? Infinity;
  const errors = steps.reduce((sum, s) => sum + s.errors, 0);
  const x = (v: number | null | undefined): string => `${v?.toFixed(2) ?? '—'}×`;
  const targets: Target[] = [
    { name: 'Brokered login vs. plain oidc-provider (logins/s)', goal: '≥ 0.6×', met: loginRatios.every((r) => r >= 0.6),
      measured: `${concurrency.map((c, i) => `${x(loginRatios[i])} (C=${c})`).join(', ')}; server CPU per login ${cpu(`brokered-${sc}`)} vs. ${cpu(`baseline-${sc}`)} ms` },
    { name: 'Machine tokens vs. plain oidc-provider (tokens/s)', goal: '≥ 0.8×', met: (ratios['tokens/baseline'] ?? 0) >= 0.8,
      measured: `${x(ratios['tokens/baseline'])}; server CPU per token ${cpu('tokens')} vs. ${cpu('tokens-baseline')} ms` },
    { name: 'Sandbox overhead per run (p50, constant profile, sandbox idle in between)', goal: '≤ 300 µs', met: sandboxP50 <= 300,
      measured: `${Math.round(sandboxP50)} µs (back to back, each run also waiting for the previous run's fresh context: ${backToBack === undefined ? '?' : Math.round(backToBack)} µs)` },
    { name: 'Scale: 10,000 vs. 10 connections', goal: '≥ 0.9×', met: (ratios['connections 10k/10'] ?? 0) >= 0.9,
      measured: `${x(ratios['connections 10k/10'])}; server CPU per login ${cpu(`brokered-${sc}`)} → ${cpu('scale-connections')} ms` },
    { name: 'Scale: 100,000 vs. 100 users', goal: '≥ 0.9×', met: (ratios['users 100k/100'] ?? 0) >= 0.9,
      measured: `${x(ratios['users 100k/100'])}; server CPU per login ${cpu('scale-connections')} → ${cpu('scale-users')} ms` },
    { name: 'Errors, every step', goal: '0', measured: String(errors), met: errors === 0 },
    { name: `Brokered login p99 at ${sc} users`, goal: '< 100 ms', measured: `${p99} ms`, met: p99 < 100 },
  ];
  return {
    date: new Date().toISOString(),
    machine: machine(),
    settings: { warmupMs: settings.warmupMs, durationMs: settings.durationMs, concurrency, defaultWorkers: settings.defaultWorkers, quick: settings.quick },
    steps,
    sandbox: Object.fromEntries(Object.entries(sandbox).map(([k, v]) => [k, {
      runs: v.runs, runsPerSecond: round(v.runsPerSecond, 0),
      latencyUs: { p50: round(v.latencyUs.p50, 0), p95: round(v.latencyUs.p95, 0), p99: round(v.latencyUs.p99, 0), mean: round(v.latencyUs.mean, 0), max: round(v.latencyUs.max, 0) },
    }])),
    ratios,
    targets,
    anchors: ANCHORS,
    wallSeconds: round(wallSeconds, 0),
  };
}
