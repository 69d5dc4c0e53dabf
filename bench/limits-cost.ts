import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Browser } from './lib/browser.ts';
import { clientCredentials, login } from './lib/flows.ts';
import { cpuSeconds, machineBusySeconds, processTree } from './lib/procfs.ts';
import { machine } from './lib/report.ts';
import { bootServer, DEFAULT_WORKERS, loginScenario, say, startBaseline, startWorld, tokenScenario, type World } from './lib/world.ts';

/**
 * `node --no-node-snapshot bench/limits-cost.ts [rounds] [name]`: the CPU rate limits cost
 * (issue 13's "rate limits on vs off"). The server (WORKERS default) is restarted with
 * RATE_LIMITS=true and =false in turn (ABBA per round); each side runs sequential brokered
 * logins and sequential machine tokens (one at a time, so the machine's other load, which
 * makes throughput meaningless on a shared machine, hardly changes the CPU each one costs),
 * and reports the CPU of the server's whole process tree per operation (primary, workers,
 * sandboxes). Writes bench/results/<date>-<name>.{json,md}.
 */

const rounds = Number(process.argv[2] ?? 2);
const name = process.argv[3] ?? 'limits-cost';
const LOGINS = { warmup: 60, measured: Number(process.env['LIMITS_COST_LOGINS'] ?? 300) };
const TOKENS = { warmup: 300, measured: Number(process.env['LIMITS_COST_TOKENS'] ?? 2000) };

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

interface Side { enabled: boolean; round: number; loginMs: number; tokenMs: number; otherCores: number }

/** Server CPU ms per `run()` over `n` runs after `warmup`, and the machine's other load meanwhile (cores). */
async function perOp(root: number, warmup: number, n: number, run: () => Promise<void>): Promise<{ ms: number; other: number }> {
  for (let i = 0; i < warmup; i++) await run();
  const pids = processTree(root);
  const cpu0 = cpuSeconds(pids);
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await run();
  const wall = (performance.now() - t0) / 1000;
  const server = cpuSeconds(pids) - cpu0;
  // Besides the server: this driver and the upstream (about one core between them, sequentially) plus anything else running.
  return { ms: (server * 1000) / n, other: round((machineBusySeconds() - busy0 - server) / wall, 2) };
}

const world = await startWorld(DEFAULT_WORKERS);
const sides: Side[] = [];
let plainTokenMs = 0;
try {
  for (let r = 1; r <= rounds; r++) {
    for (const enabled of r % 2 === 1 ? [true, false] : [false, true]) {
      await world.server.stop();
      world.env.serverEnv['RATE_LIMITS'] = String(enabled);
      world.server = await bootServer(world.env, DEFAULT_WORKERS);
      const browser = new Browser();
      const logins = loginScenario(world);
      const tokens = tokenScenario(world, world.env.issuer, false);
      let i = 0;
      const l = await perOp(world.server.pid, LOGINS.warmup, LOGINS.measured, async () => {
        browser.clearCookies();
        await login(browser, logins, logins.connections[i++ % logins.connections.length], () => {});
      });
      const t = await perOp(world.server.pid, TOKENS.warmup, TOKENS.measured, () => clientCredentials(browser, tokens, () => {}));
      browser.close();
      sides.push({ enabled, round: r, loginMs: round(l.ms), tokenMs: round(t.ms), otherCores: Math.max(l.other, t.other) });
      say(`  RATE_LIMITS=${enabled} (round ${r}): ${round(l.ms)} ms CPU per login, ${round(t.ms)} ms CPU per token; machine busy besides the server ~${Math.max(l.other, t.other)} cores`);
    }
  }
  // Plain oidc-provider (bench/baseline.ts, one process) on the same machine tokens, for the ratio.
  await world.server.stop();
  const baseline = await startBaseline(world);
  const browser = new Browser();
  const plain = tokenScenario(world, baseline.issuer, true);
  plainTokenMs = round((await perOp(baseline.child.pid, TOKENS.warmup, TOKENS.measured, () => clientCredentials(browser, plain, () => {}))).ms);
  browser.close();
  await baseline.child.stop();
  say(`  plain oidc-provider: ${plainTokenMs} ms CPU per token`);
} finally {
  await world.server.stop();
  await world.upstream.stop();
  await rm(world.env.tmp, { recursive: true, force: true });
}

const m = machine();
const on = sides.filter((s) => s.enabled);
const off = sides.filter((s) => !s.enabled);
const line = (what: string, pick: (s: Side) => number) => `${what}: on ${on.map(pick).join(', ')} (mean ${round(mean(on.map(pick)), 3)}), `
  + `off ${off.map(pick).join(', ')} (mean ${round(mean(off.map(pick)), 3)}); limits cost ${round(mean(on.map(pick)) - mean(off.map(pick)), 3)} ms `
  + `(${round((100 * (mean(on.map(pick)) - mean(off.map(pick)))) / mean(off.map(pick)), 1)} %).`;
const lines = [
  `Measured ${new Date().toISOString()} on ${m.cpuModel}, ${m.cores} cores, Node ${m.node}; ${DEFAULT_WORKERS} workers (default); `
    + `${LOGINS.measured} sequential brokered logins and ${TOKENS.measured} sequential machine tokens per side (after ${LOGINS.warmup} / ${TOKENS.warmup} warm-up), `
    + 'CPU of the server\'s whole process tree; RATE_LIMITS on/off alternating (ABBA).',
  '',
  '| Side | round | server CPU ms/login | server CPU ms/token | machine busy besides (cores) |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...sides.map((s) => `| RATE_LIMITS=${s.enabled} | ${s.round} | ${s.loginMs} | ${s.tokenMs} | ${s.otherCores} |`),
  '',
  line('per login', (s) => s.loginMs),
  line('per token', (s) => s.tokenMs),
  `plain oidc-provider (one process, \`resource\` + \`scope\`): ${plainTokenMs} ms CPU per token; ours with limits on / plain: `
    + `${round(plainTokenMs / mean(on.map((s) => s.tokenMs)), 2)}x (the "machine tokens vs plain oidc-provider" ratio in CPU terms).`,
];
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const base = join(dir, `${new Date().toISOString().slice(0, 10)}-${name}`);
writeFileSync(`${base}.json`, `${JSON.stringify({ date: new Date().toISOString(), machine: m, sides, plainTokenMs }, null, 2)}\n`);
writeFileSync(`${base}.md`, `${lines.join('\n')}\n`);
process.stdout.write(`\n${lines.join('\n')}\n`);
say(`results written to ${base}.json and ${base}.md`);
