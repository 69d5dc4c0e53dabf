import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDriver } from './lib/children.ts';
import { kindOf, processTree } from './lib/procfs.ts';
import { DEFAULT_WORKERS, loginScenario, say, startWorld } from './lib/world.ts';

/**
 * What each process of the server holds (`node --no-node-snapshot bench/memory.ts`): the
 * server as `npm start` runs it, idle after start, after a short C=32 warm-up, and at its
 * peak under a C=32 brokered-login load; per process its RSS, anonymous vs file-backed
 * memory (/proc/<pid>/smaps_rollup) and, for the Node processes that take the preload
 * (primary, workers), V8's heap and external memory (lib/memprobe.ts). Also the server's
 * CPU per login over the load, so a setting that saves memory shows what it costs.
 *
 *   --workers=N     WORKERS (default: left unset, one per core)
 *   --seconds=N     length of the measured load (default 20)
 *   --env=K=V       a server setting or environment variable (repeatable)
 *   --label=NAME    also write bench/results/<date>-p-memory-<NAME>.txt
 */

const args = process.argv.slice(2);
const values = (name: string): string[] => args.filter((a) => a.startsWith(`${name}=`)).map((a) => a.slice(name.length + 1));
const workers = Number(values('--workers')[0] ?? DEFAULT_WORKERS);
const seconds = Number(values('--seconds')[0] ?? 20);
const label = values('--label')[0];
const extraEnv = Object.fromEntries(values('--env').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

const probeDir = mkdtempSync(join(tmpdir(), 'brokerid-memprobe-'));
const PROBE = ['--import', fileURLToPath(new URL('./lib/memprobe.ts', import.meta.url))];
const C = 32;

/** The smaps_rollup fields we report (kB in /proc, MB here). */
function smaps(pid: number): { rss: number; pss: number; anon: number; file: number; hwm: number } {
  const kb = (text: string, key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) / 1024;
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = kb(rollup, 'Rss');
    const anon = kb(rollup, 'Anonymous');
    return { rss, pss: kb(rollup, 'Pss'), anon, file: rss - anon, hwm: kb(status, 'VmHWM') };
  } catch {
    return { rss: 0, pss: 0, anon: 0, file: 0, hwm: 0 };
  }
}

interface Probe {
  now: { heapTotal: number; heapUsed: number; external: number; arrayBuffers: number; spaces: Record<string, number> };
  max: Probe['now'];
  gc: Record<string, { count: number; ms: number }>;
  activeMs: number;
}
/** GC pauses (ms) a probe reported so far, all kinds. */
const gcMs = (p: Probe | undefined): number => Object.values(p?.gc ?? {}).reduce((s, g) => s + g.ms, 0);
const gcCount = (p: Probe | undefined, kind: string): number => p?.gc[kind]?.count ?? 0;
function probe(pid: number): Probe | undefined {
  try {
    return JSON.parse(readFileSync(join(probeDir, `${pid}.json`), 'utf8')) as Probe;
  } catch {
    return undefined; // a sandbox process (no preload), or not written yet
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const f = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(0)).padStart(7);

async function main(): Promise<void> {
  const world = await startWorld(workers, PROBE, { BENCH_MEMPROBE_DIR: probeDir, ...extraEnv });
  const root = world.server.pid;
  const roots = { server: root, upstream: world.upstream.pid };
  await pause(2_000);
  const idle = new Map(processTree(root).map((pid) => [pid, smaps(pid).rss]));
  say(`idle: ${[...idle.values()].reduce((a, b) => a + b, 0).toFixed(0)} MB in ${idle.size} processes; warming up (C=${C}, 4 s) ...`);
  await runDriver({ scenario: loginScenario(world), concurrency: C, warmupMs: 1_000, durationMs: 3_000 }, roots);
  await pause(2_000);
  const warm = new Map(processTree(root).map((pid) => [pid, smaps(pid).rss]));

  say(`holding C=${C} for ${seconds} s ...`);
  const gc0 = new Map(processTree(root).map((pid) => [pid, probe(pid)]));
  let peakSum = 0;
  const sampler = setInterval(() => {
    peakSum = Math.max(peakSum, processTree(root).reduce((sum, pid) => sum + smaps(pid).rss, 0));
  }, 250);
  const { result, usage } = await runDriver({ scenario: loginScenario(world), concurrency: C, warmupMs: 2_000, durationMs: seconds * 1000 }, roots);
  clearInterval(sampler);
  const server = usage['server'];
  const pids = processTree(root);
  const ppid = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] ?? 0);
  const rows = pids.map((pid) => ({ pid, kind: kindOf(pid, root), parent: pid === root ? 0 : ppid(pid), mem: smaps(pid), probe: probe(pid) }));

  const lines = [
    `bench/memory.ts ${args.join(' ')} — ${new Date().toISOString()}, ${workers} worker(s), C=${C} brokered logins for ${seconds} s`,
    `MB        pid  parent   idle   warm peak(HWM)  load: rss   anon   file | V8 heap  (max)   used    new    old   code  large ext+ab`,
  ];
  for (const r of rows) {
    const p = r.probe;
    lines.push(`${r.kind.padEnd(8)}${String(r.pid).padStart(7)}${String(r.parent).padStart(8)}${f(idle.get(r.pid))}${f(warm.get(r.pid))}${f(r.mem.hwm).padStart(10)}`
      + `${f(r.mem.rss).padStart(11)}${f(r.mem.anon)}${f(r.mem.file)} |${f(p?.now.heapTotal)}${f(p?.max.heapTotal)}${f(p?.now.heapUsed)}`
      + `${f(p?.now.spaces['new'])}${f(p?.now.spaces['old'])}${f(p?.now.spaces['code'])}${f(p?.now.spaces['large_object'])}${f(p ? p.now.external + p.now.arrayBuffers : undefined)}`);
  }
  const sum = (pick: (r: (typeof rows)[number]) => number): number => rows.reduce((s, r) => s + pick(r), 0);
  lines.push(`total   ${' '.repeat(15)}${f(sum((r) => idle.get(r.pid) ?? 0))}${f(sum((r) => warm.get(r.pid) ?? 0))}${f(sum((r) => r.mem.hwm)).padStart(10)}`
    + `${f(sum((r) => r.mem.rss)).padStart(11)}${f(sum((r) => r.mem.anon))}${f(sum((r) => r.mem.file))}`);
  const cpuMs = server && result.rate > 0 ? (server.cores * 1000) / result.rate : 0;
  // Logins over the whole hold (warm-up included), as the GC deltas cover it too.
  const logins = result.rate * (2 + seconds);
  // Only processes whose probe answered before and after the hold (one written mid-replace would count negative).
  const workersOnly = rows.filter((r) => (r.kind === 'worker' || r.kind === 'server') && r.probe && gc0.get(r.pid));
  const gcDelta = workersOnly.reduce((s, r) => s + gcMs(r.probe) - gcMs(gc0.get(r.pid)), 0);
  const minor = workersOnly.reduce((s, r) => s + gcCount(r.probe, 'minor') - gcCount(gc0.get(r.pid), 'minor'), 0);
  const major = workersOnly.reduce((s, r) => s + gcCount(r.probe, 'major') - gcCount(gc0.get(r.pid), 'major'), 0);
  const active = workersOnly.reduce((s, r) => s + (r.probe?.activeMs ?? 0) - (gc0.get(r.pid)?.activeMs ?? 0), 0);
  const gcShare = active > 0 ? gcDelta / active : 0;
  const workerCpuMs = result.rate > 0 ? ((server?.parts['worker'] ?? server?.parts['server'] ?? 0) * 1000) / result.rate : 0;
  lines.push(`peak of the tree's summed RSS (sampled every 250 ms under load): ${peakSum.toFixed(0)} MB; sum of per-process peaks: ${sum((r) => r.mem.hwm).toFixed(0)} MB; `
    + `PSS at the end of the load ${sum((r) => r.mem.pss).toFixed(0)} MB (the node binary's pages, "file", are shared: RSS counts them in every process)`);
  lines.push(`load: ${result.rate.toFixed(0)} logins/s, p50 ${result.latency.p50.toFixed(1)} ms, errors ${result.errors}; server ${server?.cores.toFixed(2)} cores `
    + `(${Object.entries(server?.parts ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}), ${cpuMs.toFixed(2)} ms CPU per login; other load ${usage['other']?.cores.toFixed(2)} cores`);
  lines.push(`GC in the serving processes over the hold: ${minor} minor, ${major} major (~${logins.toFixed(0)} logins, ${logins > 0 ? ((minor + major) / logins).toFixed(3) : '-'} per login); `
    + `pauses ${(gcShare * 100).toFixed(1)}% of the event loop's active time, i.e. ~${(gcShare * workerCpuMs).toFixed(2)} of the workers' ${workerCpuMs.toFixed(2)} ms CPU per login`);
  const text = lines.join('\n');
  process.stdout.write(`\n${text}\n`);
  if (label) {
    const dir = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `${new Date().toISOString().slice(0, 10)}-p-memory-${label}.txt`);
    writeFileSync(out, `${text}\n`, { flag: 'a' });
    say(`appended to ${out}`);
  }
  await world.server.stop();
  await world.upstream.stop();
  rmSync(world.env.tmp, { recursive: true, force: true });
}

main().then(() => rmSync(probeDir, { recursive: true, force: true }), (err: unknown) => {
  process.stderr.write(`memory bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
}).finally(() => process.exit(process.exitCode ?? 0));
