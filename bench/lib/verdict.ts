import { ANCHORS, machine, type Results, type SandboxCase, type Step, type Target } from './report.ts';
import { ratio, round } from './stats.ts';
import { sideMeans } from './alternate.ts';

/** Turns the measured steps into the ratios the issue asks for and the targets it sets. */

export interface RunSettings { warmupMs: number; durationMs: number; concurrency: number[]; scaleConcurrency: number; defaultWorkers: number; quick: boolean }

/** What the run did besides measuring, for the record. */
export interface RunNotes { seedingSeconds?: { usersSeconds: number; logsSeconds: number } }

export function assemble(steps: Step[], sandbox: Record<string, SandboxCase>, settings: RunSettings, wallSeconds: number, notes: RunNotes = {}): Results {
  const { concurrency, scaleConcurrency: sc } = settings;
  const by = (id: string): Step | undefined => steps.find((s) => s.id === id);
  const rate = (id: string): number => by(id)?.rate ?? 0;
  const cpu = (id: string): number => by(id)?.serverCpuMsPerOp ?? 0;
  const ratios: Record<string, number | null> = {};
  for (const c of concurrency) ratios[`brokered/baseline@${c}`] = ratio(rate(`brokered-${c}`), rate(`baseline-${c}`));
  for (const c of concurrency) ratios[`brokered/peer@${c}`] = ratio(rate(`brokered-${c}`), rate(`peer-${c}`));
  ratios[`brokered 1 worker/baseline@${sc}`] = ratio(rate('workers-1'), rate(`baseline-${sc}`));
  ratios['tokens/baseline'] = ratio(rate('tokens'), rate('tokens-baseline'));
  ratios['connections 10k/10'] = ratio(rate('scale-connections'), rate(`brokered-${sc}`));
  // The A B A B pairs: each side's mean over its rounds.
  const on = sideMeans(steps, 'features', 'on');
  const off = sideMeans(steps, 'features', 'off');
  const empty = sideMeans(steps, 'store', 'empty');
  const full = sideMeans(steps, 'store', 'full');
  ratios['features on/off'] = ratio(on.rate, off.rate);
  ratios['store full/empty'] = ratio(full.rate, empty.rate);
  ratios['workers 1/default'] = ratio(rate('workers-1'), rate(`brokered-${sc}`));
  // The same comparisons by server CPU per operation: insensitive to how much CPU the machine had to give.
  for (const c of concurrency) ratios[`CPU per login, baseline/brokered@${c}`] = ratio(cpu(`baseline-${c}`), cpu(`brokered-${c}`));
  for (const c of concurrency) ratios[`CPU per login, peer/brokered@${c}`] = ratio(cpu(`peer-${c}`), cpu(`brokered-${c}`));
  const top = Math.max(...concurrency);
  ratios[`CPU per login, brokered C=${top}/C=${sc}`] = ratio(cpu(`brokered-${top}`), cpu(`brokered-${sc}`));
  ratios['CPU per token, baseline/ours'] = ratio(cpu('tokens-baseline'), cpu('tokens'));
  ratios['CPU per login, 10 / 10k connections'] = ratio(cpu(`brokered-${sc}`), cpu('scale-connections'));
  ratios['CPU per login, features off/on'] = ratio(off.cpuMs, on.cpuMs);
  ratios['CPU per login, store empty/full'] = ratio(empty.cpuMs, full.cpuMs);

  const sandboxIdle = sandbox['runner constant profile']?.latencyUs.p50;
  const backToBack = sandbox['runner constant profile, back to back']?.latencyUs.p50 ?? Infinity;
  const loginRatios = concurrency.map((c) => ratios[`brokered/baseline@${c}`] ?? 0);
  const peerRatios = concurrency.map((c) => ratios[`brokered/peer@${c}`] ?? 0);
  // A side that failed logins did less work per "login/s": the comparison then proves nothing.
  const pairErrors = concurrency.reduce((sum, c) => sum + (by(`peer-${c}`)?.errors ?? 0) + (by(`brokered-${c}`)?.errors ?? 0), 0);
  const growth = ratios[`CPU per login, brokered C=${top}/C=${sc}`];
  const rss = by(`brokered-${sc}`)?.serverPeakRssMb ?? Infinity;
  const p99 = by(`brokered-${sc}`)?.latencyMs.p99 ?? Infinity;
  const errors = steps.reduce((sum, s) => sum + s.errors, 0);
  const idle = steps.filter((s) => s.completed === 0).map((s) => s.id); // nothing finished in the window: no number at all
  const x = (v: number | null | undefined): string => `${v?.toFixed(2) ?? '—'}×`;
  const perC = (values: number[]): string => concurrency.map((c, i) => `${x(values[i])} (C=${c})`).join(', ');
  const cpuAt = (prefix: string): string => concurrency.map((c) => cpu(`${prefix}-${c}`)).join(' / ');
  const targets: Target[] = [
    { name: 'Brokered login vs. plain oidc-provider (logins/s)', goal: '≥ 0.6× at every C', met: loginRatios.every((r) => r >= 0.6),
      measured: `${perC(loginRatios)}; server CPU per login ${cpu(`brokered-${sc}`)} vs. ${cpu(`baseline-${sc}`)} ms (C=${sc})` },
    { name: 'Brokered login vs. better-auth doing the same job (logins/s)', goal: '≥ 2× at every C', met: pairErrors === 0 && peerRatios.every((r) => r >= 2),
      measured: `${perC(peerRatios)}${pairErrors ? ` — ${pairErrors} failed logins in these steps, not comparable` : ''}; server CPU per login at C=${concurrency.join('/')}: ours ${cpuAt('brokered')} ms, better-auth ${cpuAt('peer')} ms` },
    { name: `Server CPU per login, C=${top} vs. C=${sc}`, goal: 'within 10 %', met: growth !== null && growth !== undefined && Math.abs(growth - 1) <= 0.1 + 1e-9, // the ratio is rounded to 2 decimals
      measured: `${x(growth)} (${cpu(`brokered-${sc}`)} → ${cpu(`brokered-${top}`)} ms)` },
    { name: `Server process tree, peak RSS at C=${sc}, default settings`, goal: '≤ 400 MB', met: rss <= 400,
      measured: `${rss} MB in ${by(`brokered-${sc}`)?.serverProcesses ?? '?'} processes` },
    { name: 'Machine tokens vs. plain oidc-provider (tokens/s)', goal: '≥ 0.9×', met: (ratios['tokens/baseline'] ?? 0) >= 0.9,
      measured: `${x(ratios['tokens/baseline'])}; server CPU per token ${cpu('tokens')} vs. ${cpu('tokens-baseline')} ms` },
    { name: 'One `fetchUserProfile` run (p50, constant profile, runner, back to back)', goal: '≤ 300 µs', met: backToBack <= 300,
      measured: `${Math.round(backToBack)} µs (one run with the sandbox idle in between: ${sandboxIdle === undefined ? '?' : Math.round(sandboxIdle)} µs)` },
    { name: 'Scale: 10,000 vs. 10 connections', goal: '≥ 0.9×', met: (ratios['connections 10k/10'] ?? 0) >= 0.9,
      measured: `${x(ratios['connections 10k/10'])}; server CPU per login ${cpu(`brokered-${sc}`)} → ${cpu('scale-connections')} ms` },
    { name: 'Scale: 100,000 users + 1,000,000 log events vs. an empty store (A B A B)', goal: '≥ 0.9×', met: (ratios['store full/empty'] ?? 0) >= 0.9,
      measured: `${x(ratios['store full/empty'])}; server CPU per login ${round(empty.cpuMs, 2)} → ${round(full.cpuMs, 2)} ms (${x(ratios['CPU per login, store empty/full'])})` },
    { name: 'Tenant logs, rate limits and metrics on vs. all off (A B A B)', goal: '≥ 0.95×', met: (ratios['features on/off'] ?? 0) >= 0.95,
      measured: `${x(ratios['features on/off'])}; server CPU per login ${round(off.cpuMs, 2)} → ${round(on.cpuMs, 2)} ms (${x(ratios['CPU per login, features off/on'])})` },
    { name: 'Errors, every step (and every step completed something)', goal: '0', met: errors === 0 && idle.length === 0,
      measured: `${errors}${idle.length ? `; nothing completed in ${idle.join(', ')}` : ''}` },
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
    ...(notes.seedingSeconds ? { seedingSeconds: { users: round(notes.seedingSeconds.usersSeconds, 1), logs: round(notes.seedingSeconds.logsSeconds, 1) } } : {}),
  };
}
