import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { costsRun, holdRun, profileRun, type DiagnoseOptions } from './diagnose.ts';
import { logsCostRun } from './logs-cost.ts';
import { copyStore, featuresCost, storeScale } from './lib/comparisons.ts';
import { runSandboxBench } from './lib/children.ts';
import { ACTIVE_CONNECTIONS } from './lib/fixtures.ts';
import { startPeer } from './lib/peer.ts';
import { machineBusySeconds } from './lib/procfs.ts';
import { machine, markdown, type Results, type SandboxCase, type Step } from './lib/report.ts';
import { assemble } from './lib/verdict.ts';
import {
  bootServer, DEFAULT_WORKERS, elapsedSeconds, loginScenario, measure, say, scrapeOf, startBaseline, startWorld, stored, storeFileOf, tokenScenario,
} from './lib/world.ts';
import { seedConnections } from './seed.ts';

/**
 * `npm run bench`: starts everything on loopback (the server on a temporary embedded store,
 * the upstream OAuth 2.0 provider, plain oidc-provider as the baseline, better-auth as the
 * peer, a driver process per step), measures in one run brokered logins at several
 * concurrencies, the baseline and the peer at the same ones, machine
 * tokens, the sandbox, logs + rate limits + metrics off vs on (A B A B), 10 vs 10,000
 * connections, an empty store vs 100,000 users + 1,000,000 log events (A B A B), and one
 * worker vs the default, with the server's own /metrics scraped around every step of ours; writes bench/results/<date>-<machine>.{json,md} and prints the table.
 *
 *   --quick   short steps (1 s + 3 s) to try the harness; results get a -quick suffix
 *   --verbose each step's mean latency per request of the flow
 * Diagnosis instead of the full run: --profile[=what], --costs, --hold=N (see diagnose.ts);
 *   --logs-cost[=rounds] brokered logins with tenant logs on vs off, alternating (logs-cost.ts).
 */

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => args.find((a) => a === name || a.startsWith(`${name}=`))?.split('=')[1] ?? (args.includes(name) ? '' : undefined);
const quick = flag('--quick') !== undefined;
const timing = { warmupMs: quick ? 1_000 : 2_000, durationMs: quick ? 3_000 : 8_000, verbose: flag('--verbose') !== undefined || flag('--profile') !== undefined };
const CONCURRENCY = [8, 32, 128];
const SCALE_C = 32;
const SCALED_CONNECTIONS = 10_000;
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const stamp = `${new Date().toISOString().slice(0, 10)}-${machine().hostname.replace(/[^\w.-]+/g, '_')}`;

/** One second of the machine's CPU before starting: a busy machine gives low numbers. */
async function preflight(): Promise<void> {
  const before = machineBusySeconds();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const busy = machineBusySeconds() - before;
  const m = machine();
  say(`${m.cpuModel}, ${m.cores} cores, Node ${m.node}; machine busy ${busy.toFixed(2)} cores before the run${busy > 0.2 ? ' — OTHER LOAD, numbers will be low' : ''}`);
}

async function fullRun(): Promise<void> {
  await preflight();
  const steps: Step[] = [];
  // 1. Processes: one worker first; the server is then restarted with WORKERS at its default.
  const world = await startWorld(1);
  // The store as registered, copied before anything is measured: the empty and full sides of the store comparison.
  const copies = copyStore(world);
  const roots = () => ({ server: world.server.pid, upstream: world.upstream.pid });
  const scrape = scrapeOf(world);
  const brokered = (id: string, title: string, workers: number) =>
    ({ id, title, target: 'brokerid' as const, scenario: 'brokered login' as const, workers, stored: stored(world) });
  steps.push(await measure(timing, brokered('workers-1', 'brokered login, 1 worker', 1), loginScenario(world), SCALE_C, roots(), scrape));
  await world.server.stop();
  world.server = await bootServer(world.env, DEFAULT_WORKERS);

  // The baseline runs beside our server (each idle while the other is measured), so each pair
  // compared is measured back to back and a change in the machine's load hits both alike.
  const baseline = await startBaseline(world);
  const baseRoots = { server: baseline.child.pid, upstream: world.upstream.pid };
  // The peer, better-auth doing the same job against the same upstream, idle beside them too.
  const peer = await startPeer(world);
  const peerRoots = { server: peer.child.pid, upstream: world.upstream.pid };
  const peerMeta = (c: number) => ({ id: `peer-${c}`, title: 'better-auth, genericOAuth + oauth-provider', target: 'better-auth' as const, scenario: 'brokered login' as const, workers: 1 });
  const peerLogin = (c: number) => measure(timing, peerMeta(c), peer.scenario, c, peerRoots);
  const plainMeta = (id: string, scenario: 'plain login' | 'client credentials') => ({ id, title: 'oidc-provider, plain', target: 'oidc-provider' as const, scenario, workers: 1 });
  const plain = (c: number) => measure(timing, plainMeta(`baseline-${c}`, 'plain login'), loginScenario(world, baseline.issuer, []), c, baseRoots);
  const ours = (c: number) => measure(timing, brokered(`brokered-${c}`, `brokerid, brokered (${DEFAULT_WORKERS} workers)`, DEFAULT_WORKERS), loginScenario(world), c, roots(), scrape);

  // 2. Machine tokens: ours (Auth0's `audience`), then plain oidc-provider issuing the same JWT.
  steps.push(await measure(timing, { id: 'tokens', title: 'brokerid', target: 'brokerid', scenario: 'client credentials', workers: DEFAULT_WORKERS },
    tokenScenario(world, world.env.issuer, false), SCALE_C, roots(), scrape));
  steps.push(await measure(timing, plainMeta('tokens-baseline', 'client credentials'), tokenScenario(world, baseline.issuer, true), SCALE_C, baseRoots));

  // 3. Logins, brokered, plain and the peer's, per concurrency; ours at C=32 last, right
  // before the scale steps it is the reference of.
  for (const c of CONCURRENCY.filter((c) => c !== SCALE_C)) {
    steps.push(await ours(c));
    steps.push(await plain(c));
    steps.push(await peerLogin(c));
  }
  steps.push(await plain(SCALE_C));
  steps.push(await peerLogin(SCALE_C));
  await baseline.child.stop();
  await peer.child.stop();
  steps.push(await ours(SCALE_C));

  // 4. What the optional features cost: logs, rate limits and metrics off vs on, A B A B (left on the defaults).
  steps.push(...await featuresCost(world, timing, SCALE_C, DEFAULT_WORKERS));

  // 5. Scale: many connections stored; then an empty store vs one with many users and log events, A B A B.
  say(`seeding ${SCALED_CONNECTIONS - ACTIVE_CONNECTIONS} more connections ...`);
  await seedConnections(storeFileOf(world.env), world.env.serverEnv['SECRETS_KEY']!, world.upstreamUrl, world.apps.app.clientId, ACTIVE_CONNECTIONS, SCALED_CONNECTIONS);
  steps.push(await measure(timing, brokered('scale-connections', `brokered, ${SCALED_CONNECTIONS} connections`, DEFAULT_WORKERS), loginScenario(world), SCALE_C, roots(), scrape));
  const store = await storeScale(world, copies, timing, SCALE_C, DEFAULT_WORKERS);
  steps.push(...store.steps);
  await world.server.stop();

  // 6. Sandbox micro-benchmark, with only the upstream (its request.get target) still running.
  say('▶ sandbox: fetchUserProfile runs ...');
  const sandbox = await runSandboxBench<Record<string, SandboxCase>>(`${world.upstreamUrl}/_bench/profile`);
  for (const [name, c] of Object.entries(sandbox)) {
    say(`  ${name}: p50 ${Math.round(c.latencyUs.p50)} µs, p99 ${Math.round(c.latencyUs.p99)} µs, ${Math.round(c.runsPerSecond)} runs/s`);
  }
  await world.upstream.stop();

  const results = assemble(steps, sandbox, { ...timing, concurrency: CONCURRENCY, scaleConcurrency: SCALE_C, defaultWorkers: DEFAULT_WORKERS, quick }, elapsedSeconds(),
    { seedingSeconds: store.seeding });
  const file = write(results);
  process.stdout.write(`\n${markdown(results)}\n`);
  say(`results written to ${file}.json and ${file}.md`);
  await rm(world.env.tmp, { recursive: true, force: true });
}

function write(results: Results): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const base = join(RESULTS_DIR, `${stamp}${quick ? '-quick' : ''}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown(results));
  return base;
}

const diagnose: DiagnoseOptions = {
  workers: Number(flag('--workers') || DEFAULT_WORKERS), probe: flag('--probe') !== undefined, resultsDir: RESULTS_DIR, stamp, timing,
};
const profile = flag('--profile');
const hold = Number(flag('--hold') || 0);
const logsCost = flag('--logs-cost');
const main = logsCost !== undefined ? () => logsCostRun(Number(logsCost || 3), diagnose)
  : hold ? () => holdRun(hold, flag('--tokens') !== undefined, diagnose)
  : flag('--costs') !== undefined ? () => costsRun(diagnose)
    : profile !== undefined ? () => profileRun(profile || 'brokered', diagnose)
      : fullRun;

// The whole run is bounded: a stuck step cannot keep the machine busy.
const guard = setTimeout(() => {
  process.stderr.write('bench: the run exceeded 10 minutes; stopping\n');
  process.exit(1);
}, 600_000);
guard.unref();
main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
