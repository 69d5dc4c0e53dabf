import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeCosts, measureCosts } from './costs.ts';
import { describeStatements, dumpStatements } from './lib/statements.ts';
import { runDriver, type Child } from './lib/children.ts';
import { describe, profileFiles, summarize } from './profile.ts';
import { loginScenario, measure, say, startBaseline, startWorld, tokenScenario, type StepTiming } from './lib/world.ts';

/**
 * The diagnosis modes of `npm run bench` (what to run when a target is missed):
 *   --profile[=brokered|tokens|baseline|tokens-baseline]  one C=32 step with the measured server
 *       under --cpu-prof, then where its CPU went (self time, time charged to callers, inclusive)
 *   --costs   sequential logins, CPU of every server process charged request by request,
 *       for brokerid and for plain oidc-provider
 *   --hold=N  one C=32 step of N seconds (add --tokens for client credentials), to attach
 *       outside tools (strace, perf) to the printed pids
 * with --workers=N for the server's process count, and --probe (with --profile) to log how
 * long the server's sqlite calls take (bench/lib/probe.ts); --costs --probe also lists the
 * store statements of one login, by request.
 */

export interface DiagnoseOptions { workers: number; probe: boolean; resultsDir: string; stamp: string; timing: StepTiming }

const SCALE_C = 32;

function save(options: DiagnoseOptions, name: string, text: string): string {
  mkdirSync(options.resultsDir, { recursive: true });
  const out = join(options.resultsDir, `${options.stamp}-${name}.txt`);
  writeFileSync(out, `${text}\n`);
  return out;
}

export async function profileRun(what: string, options: DiagnoseOptions): Promise<void> {
  const known = ['brokered', 'baseline', 'tokens', 'tokens-baseline'];
  if (!known.includes(what)) throw new Error(`--profile=${what}: expected one of ${known.join(', ')}`);
  const profDir = join(tmpdir(), `brokerid-bench-prof-${process.pid}`);
  const cpuProf = ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
  const ours = what === 'brokered' || what === 'tokens';
  const world = await startWorld(options.workers, ours ? [...cpuProf, ...probeArgs(options)] : []);
  let measured: Child = world.server;
  if (ours) {
    const scenario = what === 'brokered' ? loginScenario(world) : tokenScenario(world, world.env.issuer, false);
    await measure(options.timing, { id: what, title: `brokerid (--cpu-prof), ${what}`, target: 'brokerid', scenario: what === 'brokered' ? 'brokered login' : 'client credentials', workers: options.workers },
      scenario, SCALE_C, { server: measured.pid, upstream: world.upstream.pid });
  } else {
    await world.server.stop();
    const baseline = await startBaseline(world, cpuProf);
    measured = baseline.child;
    const scenario = what === 'baseline' ? loginScenario(world, baseline.issuer, []) : tokenScenario(world, baseline.issuer, true);
    await measure(options.timing, { id: what, title: `oidc-provider (--cpu-prof), ${what}`, target: 'oidc-provider', scenario: what === 'baseline' ? 'plain login' : 'client credentials', workers: 1 },
      scenario, SCALE_C, { server: measured.pid, upstream: world.upstream.pid });
  }
  await measured.stop(); // the profiles are written as the processes exit
  await world.server.stop();
  await world.upstream.stop();
  const text = profileFiles([profDir]).map((f) => describe(summarize(f))).join('\n\n');
  process.stdout.write(`\n${text}\n\n`);
  say(`profile summary written to ${save(options, `profile-${what}`, text)} (raw profiles in ${profDir}; logs in ${world.env.logs})`);
}

const probeArgs = (options: DiagnoseOptions): string[] =>
  options.probe ? ['--import', fileURLToPath(new URL('./lib/probe.ts', import.meta.url))] : [];

export async function costsRun(options: DiagnoseOptions): Promise<void> {
  const world = await startWorld(options.workers, probeArgs(options));
  const text: string[] = [];
  say('▶ sequential logins against brokerid, CPU per request ...');
  const logins = 400;
  const around = options.probe ? () => dumpStatements(world.server.pid) : undefined;
  const ours = await measureCosts(loginScenario(world), world.server.pid, world.upstream.pid, logins, 200, around);
  text.push(`brokerid, brokered login (${options.workers} worker${options.workers > 1 ? 's' : ''}):\n${describeCosts(ours)}`);
  if (options.probe) {
    const statements = describeStatements(readFileSync(join(world.env.logs, 'server.log'), 'utf8'), logins);
    say(`written to ${save(options, 'statements', statements)}`);
  }
  await world.server.stop();
  const baseline = await startBaseline(world);
  say('▶ sequential logins against plain oidc-provider, CPU per request ...');
  const plain = await measureCosts(loginScenario(world, baseline.issuer, ['']), baseline.child.pid, world.upstream.pid, 400, 200);
  text.push(`oidc-provider, plain login:\n${describeCosts(plain)}`);
  await baseline.child.stop();
  await world.upstream.stop();
  process.stdout.write(`\n${text.join('\n\n')}\n\n`);
  say(`written to ${save(options, 'costs', text.join('\n\n'))}`);
  await rm(world.env.tmp, { recursive: true, force: true });
}

export async function holdRun(seconds: number, tokens: boolean, options: DiagnoseOptions): Promise<void> {
  const world = await startWorld(options.workers);
  say(`holding a ${tokens ? 'client-credentials' : 'brokered login'} C=${SCALE_C} load for ${seconds} s: server pid ${world.server.pid}`);
  const scenario = tokens ? tokenScenario(world, world.env.issuer, false) : loginScenario(world);
  const { result, usage } = await runDriver({ scenario, concurrency: SCALE_C, warmupMs: 2000, durationMs: seconds * 1000 }, { server: world.server.pid, upstream: world.upstream.pid });
  say(JSON.stringify({ rate: result.rate, p50: result.latency.p50, usage }));
  await world.server.stop();
  await world.upstream.stop();
  await rm(world.env.tmp, { recursive: true, force: true });
}
