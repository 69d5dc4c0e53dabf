import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DriverJob, DriverMessage, DriverResult } from './protocol.ts';
import { UsageWindow, type Usage } from './procfs.ts';

/** The processes of a benchmark run: started here, and always ended here (bounded waits). */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const bench = (file: string): string => fileURLToPath(new URL(`../${file}`, import.meta.url));

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Last output lines (for error messages). */
  tail(): string;
  /** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS; resolves the exit code. */
  stop(): Promise<number | null>;
}

const live = new Set<ChildProcess>();
// Nothing the orchestrator started outlives it: on its exit every child still running is
// ended (and the ones with an IPC channel also end themselves when it closes).
process.on('exit', () => {
  for (const proc of live) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench: ${signal}, stopping everything it started\n`);
    process.exit(130);
  });
}

function track(proc: ChildProcess, logFile: string | undefined, ready: (out: string) => boolean, what: string): Promise<Child> {
  if (proc.pid === undefined) throw new Error(`${what}: could not start`);
  live.add(proc);
  const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => {
    live.delete(proc);
    log?.end();
    resolve(code);
  }));
  const child: Child = {
    proc,
    pid: proc.pid,
    tail: () => out.slice(-4000),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return new Promise<Child>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => finish(new Error(`${what} did not start within ${START_TIMEOUT_MS} ms:\n${child.tail()}`)), START_TIMEOUT_MS);
    function finish(err?: Error): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        proc.kill('SIGKILL');
        reject(err);
      } else resolve(child);
    }
    const onData = (chunk: Buffer) => {
      log?.write(chunk);
      out = (out + chunk.toString()).slice(-64_000);
      if (ready(out)) finish();
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    void exited.then((code) => finish(new Error(`${what} exited (${code}) before it was ready:\n${child.tail()}`)));
  });
}

/** The port a bench helper printed as `{"listening":port}`. */
export function listeningPort(child: Child): number {
  const match = /\{"listening":(\d+)\}/.exec(child.tail());
  if (!match) throw new Error('no listening line');
  return Number(match[1]);
}

/** Starts a bench helper (upstream, baseline, peer) as a child with IPC: it ends when we do. */
export function startHelper(file: string, env: Record<string, string>, logFile: string, execArgv: string[] = []): Promise<Child> {
  const proc = fork(bench(file), [], {
    cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, execArgv: ['--no-node-snapshot', ...execArgv], stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // Ready once the whole line is in (the peer's carries its app's credentials too).
  return track(proc, logFile, (out) => /\{"listening":.*\}\n/.test(out), file);
}

/**
 * Starts the server as `npm start` does (src/main.ts on this Node, its own process tree:
 * primary, cluster workers, their sandbox processes), leashed to this process
 * (lib/leash.ts); resolves once `workers` processes said "listening".
 */
export function startServer(env: Record<string, string>, workers: number, logFile: string, execArgv: string[] = []): Promise<Child> {
  const leash = ['--import', bench('lib/leash.ts')];
  const proc = spawn(process.execPath, ['--no-node-snapshot', ...leash, ...execArgv, 'src/main.ts'], {
    cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return track(proc, logFile, (out) => (out.match(/"msg":"listening"/g) ?? []).length >= workers, 'the server');
}

export interface Measured { result: DriverResult; usage: Record<string, Usage> }

/**
 * Runs one driver process for one job. CPU and memory of the watched process trees
 * (`roots`, plus the driver itself) are taken over exactly the measured window;
 * `onWindow` hears when that window opens and closes (the server's /metrics is scraped then).
 */
export function runDriver(job: DriverJob, roots: Record<string, number>, onWindow?: (edge: 'start' | 'end') => void): Promise<Measured> {
  const proc = fork(bench('driver.ts'), [], { cwd: ROOT, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  live.add(proc);
  const limitMs = job.warmupMs + job.durationMs + 40_000;
  return new Promise<Measured>((resolve, reject) => {
    let window: UsageWindow | undefined;
    let usage: Record<string, Usage> | undefined;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the driver did not finish within ${limitMs} ms`));
    }, limitMs);
    proc.on('message', (message: DriverMessage) => {
      if (message.t === 'measure-start') {
        window = new UsageWindow({ ...roots, driver: proc.pid ?? 0 });
        window.start(job.durationMs + 10_000);
        onWindow?.('start');
      } else if (message.t === 'measure-end') {
        usage = window?.stop();
        onWindow?.('end');
      } else if (message.t === 'result') {
        clearTimeout(timer);
        resolve({ result: message.result, usage: usage ?? window?.stop() ?? {} });
      }
    });
    proc.once('exit', (code) => {
      live.delete(proc);
      clearTimeout(timer);
      reject(new Error(`the driver exited (${code}) without a result`)); // no-op once resolved
    });
    proc.send(job);
  });
}

/** Runs the sandbox micro-benchmark in its own process; resolves what it reports. */
export function runSandboxBench<T>(profileUrl: string, timeoutMs = 120_000): Promise<T> {
  const proc = fork(bench('sandbox.ts'), [profileUrl], { cwd: ROOT, execArgv: ['--no-node-snapshot'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  live.add(proc);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the sandbox benchmark did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    proc.on('message', (message: { t: string; result: T }) => {
      if (message.t !== 'result') return;
      clearTimeout(timer);
      resolve(message.result);
    });
    proc.once('exit', (code) => {
      live.delete(proc);
      clearTimeout(timer);
      reject(new Error(`the sandbox benchmark exited (${code}) without a result`));
    });
  });
}
