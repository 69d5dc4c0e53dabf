import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { failure, type FailedOutcome, type ParentMessage } from './protocol.ts';
import type { SandboxLimits } from './types.ts';

/** One sandbox child process as the supervisor sees it: start-up, messages, and why it died. */

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** A sandbox process that is not ready by then is considered broken and replaced. */
export const STARTUP_MS = 15_000;
/**
 * The child gets no secrets: only what a Node process needs to run, and NODE_EXTRA_CA_CERTS
 * (an internal IdP allowed by EGRESS_ALLOW often has a private CA, and scripts call it too).
 */
const CHILD_ENV_KEYS = ['PATH', 'TZ', 'LANG', 'LC_ALL', 'SYSTEMROOT', 'NODE_EXTRA_CA_CERTS', 'MALLOC_ARENA_MAX'];
/**
 * The child's V8 flags (they also apply to the isolates it creates). isolated-vm needs
 * --no-node-snapshot. Each run leaves a released context behind until a GC collects it, and
 * V8's default young generation (semi-spaces of up to 16 MB) lets them pile up: 1 MB
 * semi-spaces collect them sooner, for less memory and no more CPU per run (measured in
 * bench/results/2026-12-01-p-sandbox-memory.txt; --optimize-for-size saved more memory but
 * cost 10-30 % more sandbox CPU per run, so it is not used).
 */
const CHILD_EXEC_ARGV = ['--no-node-snapshot', '--max-semi-space-size=1'];
/**
 * glibc gives each thread that allocates its own malloc arena (isolated-vm's and V8's threads
 * here); two are plenty for one event loop and its helpers. The operator's value wins.
 */
const CHILD_MALLOC_ARENAS = '2';

export interface SandboxProcess {
  proc: ChildProcess;
  ready: boolean;
  /** Last bytes of its stderr: V8 and isolated-vm state why they abort there. */
  stderrTail: string;
  lastPong: number;
  /** Killed by the supervisor for not answering. */
  unresponsive: boolean;
  /** Replaced after missing a deadline; ends once its in-flight runs are answered. */
  retired: boolean;
}

export interface ProcessEvents {
  message(child: SandboxProcess, raw: unknown): void;
  exit(child: SandboxProcess, code: number | null, signal: NodeJS.Signals | null): void;
}

/** Forks the worker (isolated-vm needs --no-node-snapshot) and sends it the limits. */
export function startSandboxProcess(limits: SandboxLimits, events: ProcessEvents): SandboxProcess {
  const env: NodeJS.ProcessEnv = {};
  env.MALLOC_ARENA_MAX = CHILD_MALLOC_ARENAS;
  for (const key of CHILD_ENV_KEYS) if (process.env[key] !== undefined) env[key] = process.env[key];
  const proc = fork(WORKER, [], {
    execPath: process.execPath,
    execArgv: CHILD_EXEC_ARGV,
    env,
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const child: SandboxProcess = { proc, ready: false, stderrTail: '', lastPong: 0, unresponsive: false, retired: false };
  proc.stderr?.on('data', (chunk: Buffer) => (child.stderrTail = (child.stderrTail + chunk.toString()).slice(-4096)));
  proc.on('message', (raw: unknown) => events.message(child, raw));
  proc.on('exit', (code, signal) => events.exit(child, code, signal));
  proc.on('error', () => undefined); // a failed send shows up as the child's exit
  const startup = setTimeout(() => kill(child), STARTUP_MS);
  startup.unref();
  proc.once('message', () => clearTimeout(startup)); // its first message is 'ready'
  // An idle sandbox must not keep the server process alive; pending runs keep their own timers.
  proc.unref();
  proc.channel?.unref();
  (proc.stderr as Socket | null)?.unref();
  send(child, { t: 'init', limits });
  return child;
}

/** Sends unless the channel is gone (the exit handler answers for that process's runs). */
export function send(child: SandboxProcess, message: ParentMessage): void {
  if (child.proc.connected) child.proc.send(message);
}

export const isAlive = (child: SandboxProcess): boolean => child.proc.exitCode === null && child.proc.signalCode === null;

/** Kills a process that does not answer. */
export function kill(child: SandboxProcess): void {
  if (!isAlive(child)) return;
  child.unresponsive = true;
  child.proc.kill('SIGKILL');
}

/** What the runs still in flight in a dead process resolve to. */
export function deathOutcome(child: SandboxProcess, code: number | null, signal: NodeJS.Signals | null): FailedOutcome {
  if (/out of memory|heap limit|memory limit|allocation failed/i.test(child.stderrTail)) {
    return failure('memory', 'the sandbox process ran out of memory and was restarted');
  }
  const how = signal ?? `exit code ${code}`;
  if (!child.ready) return failure('crashed', `the sandbox process failed to start (${child.unresponsive ? 'no answer' : how})`);
  if (child.unresponsive) return failure('crashed', 'the sandbox process stopped responding and was restarted');
  return failure('crashed', `the sandbox process died (${how}) and was restarted`);
}
