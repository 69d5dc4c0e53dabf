import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { describeCosts, measureCosts, type CostTable } from './costs.ts';
import { ACTIVE_CONNECTIONS } from './lib/fixtures.ts';
import { loginScenario, measure, say, startWorld, type World } from './lib/world.ts';
import { seedConnections } from './seed.ts';

/**
 * `node bench/connections-scale.ts [costs|load] [rounds] [out.txt]`: the scale step "10 vs
 * 10,000 connections stored" as CPU per login, which holds on a machine shared with other work.
 * Two servers run side by side (each idle while the other is measured), one with the bench's
 * 10 connections and one with 10,000; the measurements alternate between them (A B B A ...),
 * so drift in the machine's load hits both alike. `costs`: sequential logins, CPU per request
 * (as --costs); `load`: the bench's C=32 step (2 s + 8 s). WORKERS=BENCH_WORKERS (default 2).
 */

const mode = process.argv[2] === 'load' ? 'load' : 'costs';
const rounds = Number(process.argv[3] ?? 2);
const out = process.argv[4];
const workers = Number(process.env['BENCH_WORKERS'] ?? 2);
const SCALED = 10_000;
const LOGINS = 300;

async function costs(world: World, warmup: number): Promise<CostTable> {
  return measureCosts(loginScenario(world), world.server.pid, world.upstream.pid, LOGINS, warmup);
}

/** One C=32 step: server CPU ms per login, and the step's line. */
async function load(world: World, name: string): Promise<{ server: number; text: string }> {
  const step = await measure({ warmupMs: 2_000, durationMs: 8_000, verbose: false },
    { id: name, title: name, target: 'brokerid', scenario: 'brokered login', workers }, loginScenario(world), 32, { server: world.server.pid, upstream: world.upstream.pid });
  return { server: step.serverCpuMsPerOp, text: `${step.rate} logins/s, server ${step.serverCpuCores} cores, ${step.serverCpuMsPerOp} ms CPU per login, `
    + `upstream ${step.upstreamCpuCores} cores, other load ${step.otherCpuCores} cores, errors ${step.errors}` };
}

async function main(): Promise<void> {
  // BENCH_PROF_DIR=<dir>: both servers under --cpu-prof (<dir>/small, <dir>/large; summarize with bench/profile.ts).
  const prof = process.env['BENCH_PROF_DIR'];
  const cpuProf = (name: string) => (prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}/${name}`] : []);
  const small = await startWorld(workers, cpuProf('small'));
  const large = await startWorld(workers, cpuProf('large'));
  say(`seeding ${SCALED - ACTIVE_CONNECTIONS} more connections into the second store ...`);
  await seedConnections(large.env.storeFile, large.env.serverEnv['SECRETS_KEY']!, large.upstreamUrl, large.apps.app.clientId, ACTIVE_CONNECTIONS, SCALED);
  const lines: string[] = [];
  const totals: Record<string, number[]> = { small: [], large: [] };
  for (let r = 0; r < rounds; r++) {
    // Every other round starts with the large store, so a load rising within a round does not favour one side.
    const pair = [['small', small], ['large', large]] as const;
    for (const [name, world] of r % 2 === 0 ? pair : [pair[1], pair[0]]) {
      const label = `round ${r + 1}, ${name === 'small' ? ACTIVE_CONNECTIONS : SCALED} connections`;
      if (mode === 'load') {
        const m = await load(world, label);
        totals[name]!.push(m.server);
        lines.push(`${label}: ${m.text}`);
        continue;
      }
      const t = await costs(world, r === 0 ? 200 : 50);
      const server = Object.entries(t.total).filter(([k]) => k !== 'upstream').reduce((s, [, v]) => s + v, 0);
      totals[name]!.push(server);
      const title = `${label}: server ${server.toFixed(3)} ms CPU per login`;
      say(title);
      lines.push(`${title}\n${describeCosts(t)}`);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const summary = `server CPU ms per login (${workers} workers, ${mode === 'load' ? 'C=32, 8 s' : `${LOGINS} sequential logins`} per round): `
    + `${ACTIVE_CONNECTIONS} connections ${totals['small']!.map((x) => x.toFixed(2)).join(' / ')}, `
    + `${SCALED} connections ${totals['large']!.map((x) => x.toFixed(2)).join(' / ')}; ratio of means ${(mean(totals['large']!) / mean(totals['small']!)).toFixed(3)}`;
  lines.unshift(summary);
  process.stdout.write(`\n${lines.join('\n\n')}\n`);
  if (out) writeFileSync(out, `${lines.join('\n\n')}\n`);
  for (const world of [small, large]) {
    await world.server.stop();
    await world.upstream.stop();
    await rm(world.env.tmp, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`connections-scale failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
