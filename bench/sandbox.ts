import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '../src/sandbox/engine.ts';
import { createScriptRunner } from '../src/sandbox/index.ts';
import type { ProfileScriptInput, SandboxLimits, ScriptRunner } from '../src/sandbox/types.ts';
import type { SandboxCase } from './lib/protocol.ts';
import { percentiles } from './lib/stats.ts';

/**
 * The sandbox micro-benchmark (a child process of bench/run.ts, with --no-node-snapshot):
 * the cost of one fetchUserProfile run as the login pays it (the supervised runner: IPC to
 * the sandbox process, a fresh context from the warm pool, the script, the checks on both
 * sides), for a script returning a constant profile and for one making a single loopback
 * request.get. The isolate engine alone (same process, no IPC) splits the cost.
 * argv[2]: URL answering a JSON profile. Answers one IPC message with the results.
 * Run by hand (`node --no-node-snapshot bench/sandbox.ts [--only=back,engine]`) it serves its
 * own loopback profile, runs the cases whose names contain one of the `--only` words, and
 * prints a table: the quick way to compare two versions of the sandbox (A B A B).
 */

const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? [];
const wanted = (name: string): boolean => only.length === 0 || only.some((word) => name.includes(word));
/** CPU per run (µs) of the sandbox process and of this (the runner's) process, per runner case: printed by hand only. */
const cpu: Record<string, { sandbox: number; runner: number }> = {};

/** Memory of the sandbox process (MB): printed by hand only. */
const memory: Record<string, number> = {};
const status = (pid: number | undefined, field: string): number => {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; 0 elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}
let target = args.find((a) => !a.startsWith('--')) ?? '';
const limits: SandboxLimits = {
  timeoutMs: 10_000, memoryMb: 64, maxRequests: 10, maxResponseBytes: 1_048_576,
  egress: { allowInsecure: true, timeoutMs: 10_000, maxBytes: 1_048_576 },
};
const context = { access_token: 'at-123', token_type: 'Bearer', expires_in: 3600, scope: 'openid profile email' };

const CONSTANT: ProfileScriptInput = {
  cacheKey: 'bench-constant:1', accessToken: 'at-123', context,
  script: `function (accessToken, ctx, cb) {
  cb(null, { user_id: 'u1', email: 'u1@bench.example', email_verified: true, name: 'Bench User 1' });
}`,
};
const REQUEST: ProfileScriptInput = {
  cacheKey: 'bench-request:1', accessToken: 'at-123', context,
  script: `function (accessToken, ctx, cb) {
  request.get({ url: '${target}', headers: { Authorization: 'Bearer ' + accessToken }, json: true }, function (err, resp, body) {
    if (err) return cb(err);
    cb(null, { user_id: body.sub, email: body.email, name: body.name });
  });
}`,
};

/** Sequential runs: the latency of one run with nothing else in flight. */
async function sequential(run: (input: ProfileScriptInput) => Promise<void>, input: ProfileScriptInput, warmup: number, runs: number,
  between: () => Promise<void> = async () => undefined): Promise<SandboxCase> {
  for (let i = 0; i < warmup; i++) {
    await run(input);
    await between();
  }
  const samples: number[] = [];
  let busy = 0;
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await run(input);
    const ms = performance.now() - s;
    busy += ms;
    samples.push(ms * 1000);
    await between();
  }
  return { runs, latencyUs: percentiles(samples), runsPerSecond: runs / (busy / 1000) };
}

/** `inFlight` runs at a time: throughput of the one sandbox process a server worker has. */
async function concurrent(run: (input: ProfileScriptInput) => Promise<void>, input: ProfileScriptInput, inFlight: number, runs: number): Promise<SandboxCase> {
  const samples: number[] = [];
  let started = 0;
  const t0 = performance.now();
  const lane = async (): Promise<void> => {
    while (started < runs) {
      started++;
      const s = performance.now();
      await run(input);
      samples.push((performance.now() - s) * 1000);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { runs, latencyUs: percentiles(samples), runsPerSecond: runs / ((performance.now() - t0) / 1000) };
}

function viaRunner(runner: ScriptRunner) {
  return async (input: ProfileScriptInput): Promise<void> => {
    const result = await runner.run(input);
    if (!result.ok) throw new Error(`sandbox run failed: ${result.kind}: ${result.message}`);
  };
}

function viaEngine(engine: { run(id: number, input: ProfileScriptInput): void }, waiting: Map<number, (ok: boolean, why: string) => void>) {
  let id = 0;
  return (input: ProfileScriptInput): Promise<void> => new Promise((resolve, reject) => {
    const n = ++id;
    waiting.set(n, (ok, why) => (ok ? resolve() : reject(new Error(`engine run failed: ${why}`))));
    engine.run(n, input);
  });
}

async function main(): Promise<Record<string, SandboxCase>> {
  const runner = createScriptRunner(limits);
  const out: Record<string, SandboxCase> = {};
  try {
    let calls = 0;
    const counted = viaRunner(runner);
    const run = (input: ProfileScriptInput): Promise<void> => (calls++, counted(input));
    // A login's run finds the sandbox idle with its context pool full: that is the overhead
    // on the login's path. Back to back, each run also waits for the previous run's context
    // refill (~0.3 ms of V8 context creation): that is the sandbox's CPU cost per run.
    const idle = () => sleep(2);
    await run(CONSTANT);
    await sleep(500);
    memory['sandbox RSS idle, warm'] = status(runner.pid, 'VmRSS');
    const cases: Record<string, () => Promise<SandboxCase>> = {
      'runner constant profile': () => sequential(run, CONSTANT, 500, 2000, idle),
      'runner one request.get': () => sequential(run, REQUEST, 200, 1000, idle),
      'runner constant profile, back to back': () => sequential(run, CONSTANT, 200, 2000),
      'runner constant profile, 16 in flight': () => concurrent(run, CONSTANT, 16, 3000),
    };
    for (const [name, measure] of Object.entries(cases)) {
      if (!wanted(name)) continue;
      const [sandbox0, runner0, calls0] = [cpuSeconds(runner.pid), process.cpuUsage(), calls];
      const result = await measure();
      const runs = calls - calls0; // warm-up included: the CPU counters see it too
      const used = process.cpuUsage(runner0);
      cpu[name] = { sandbox: ((cpuSeconds(runner.pid) - sandbox0) * 1e6) / runs, runner: (used.user + used.system) / runs };
      out[name] = result;
    }
    memory['sandbox RSS after the runner cases'] = status(runner.pid, 'VmRSS');
    memory['sandbox peak RSS (VmHWM)'] = status(runner.pid, 'VmHWM');
  } finally {
    await runner.close();
  }
  const waiting = new Map<number, (ok: boolean, why: string) => void>();
  const engine = new Engine(limits, (id, outcome) => {
    const done = waiting.get(id);
    waiting.delete(id);
    done?.(outcome.ok, outcome.ok ? '' : `${outcome.kind}: ${outcome.message}`);
  }, (message) => {
    throw new Error(`catastrophic isolate error: ${message}`);
  });
  try {
    const run = viaEngine(engine, waiting);
    // Between runs (outside the timing) the context pool gets its idle turn, as the sandbox
    // process has one between IPC messages.
    const idleTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const cases: Record<string, () => Promise<SandboxCase>> = {
      'engine constant profile (no IPC)': () => sequential(run, CONSTANT, 500, 3000, idleTurn),
      'engine one request.get (no IPC)': () => sequential(run, REQUEST, 200, 1500, idleTurn),
    };
    for (const [name, measure] of Object.entries(cases)) if (wanted(name)) out[name] = await measure();
  } finally {
    engine.dispose();
  }
  return out;
}

/** By hand: a loopback server answering the profile the request.get case reads. */
async function ownTarget(): Promise<() => void> {
  const server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ sub: 'u1', email: 'u1@bench.example', name: 'Bench User 1' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/_bench/profile`;
  REQUEST.script = REQUEST.script.replace("url: ''", `url: '${target}'`);
  return () => server.close();
}

const print = (result: Record<string, SandboxCase>): void => {
  for (const [name, c] of Object.entries(result)) {
    const { p50, p95, p99 } = c.latencyUs;
    const used = cpu[name] ? `  CPU/run: sandbox ${cpu[name].sandbox.toFixed(0)} µs, runner ${cpu[name].runner.toFixed(0)} µs` : '';
    process.stdout.write(`${name.padEnd(42)} p50 ${p50.toFixed(0).padStart(6)} µs  p95 ${p95.toFixed(0).padStart(6)}  p99 ${p99.toFixed(0).padStart(6)}  ${c.runsPerSecond.toFixed(0)} runs/s${used}\n`);
  }
};

const printMemory = (): void => {
  for (const [name, mb] of Object.entries(memory)) process.stdout.write(`${name.padEnd(42)} ${mb.toFixed(1)} MB\n`);
};

(async () => {
  const stop = target === '' ? await ownTarget() : () => undefined;
  try {
    return await main();
  } finally {
    stop();
  }
})().then(
  (result) => {
    if (process.send === undefined) return (print(result), printMemory());
    process.send({ t: 'result', result });
    process.disconnect();
  },
  (err: unknown) => {
    process.stderr.write(`sandbox bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
