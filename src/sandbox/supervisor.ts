import { ChildMessageSchema, LimitsSchema, failure, type CheckOutcome, type FailedOutcome, type Outcome, type ParentMessage } from './protocol.ts';
import { STARTUP_MS, deathOutcome, isAlive, kill, send, startSandboxProcess, type SandboxProcess } from './sandbox-process.ts';
import type { ProfileScriptInput, SandboxLimits, SandboxMetrics, ScriptCheck, ScriptResult, ScriptRunner } from './types.ts';

/**
 * Runs scripts in a supervised child process: an isolate that runs out of memory may abort
 * its whole process, and a wedged isolate may hang its event loop. The parent therefore
 * keeps its own deadline per run, and replaces a child that dies or stops answering.
 */

/** How long past timeoutMs the parent waits for the child's own timeout before giving up on it. */
const GRACE_MS = 250;

/** What ends a request to the child: its own answer, or the failure the parent decided on (death, deadline, close). */
type Answer = { t: 'result'; outcome: Outcome } | { t: 'checked'; check: CheckOutcome } | { t: 'lost'; outcome: FailedOutcome };

interface InFlight {
  child: SandboxProcess;
  started: number;
  /** Re-armed when the child becomes ready: process start-up is not the script's time. */
  watchdog: NodeJS.Timeout | undefined;
  settle: (answer: Answer, durationMs: number) => void;
}

/** A run's result from an answer (a check's answer to a run id would be the child's mistake). */
const runResult = (answer: Answer): Outcome =>
  answer.t === 'checked' ? failure('crashed', 'the sandbox answered a run with a check') : answer.outcome;

/** A check's result from an answer: anything but the child's own check is the sandbox being unavailable. */
const checkResult = (answer: Answer): CheckOutcome => {
  if (answer.t === 'checked') return answer.check;
  const why = answer.t === 'result' ? 'it answered a check with a run'
    : answer.outcome.kind === 'timeout' ? 'it did not answer in time' : answer.outcome.message;
  return { ok: false, kind: 'unavailable', message: `the sandbox could not check the script (${why}); retry` };
};

const lost = (outcome: FailedOutcome): Answer => ({ t: 'lost', outcome });

export class SupervisedRunner implements ScriptRunner {
  readonly #limits: SandboxLimits;
  readonly #inFlight = new Map<number, InFlight>();
  readonly #events = {
    message: (child: SandboxProcess, raw: unknown) => this.#onMessage(child, raw),
    exit: (child: SandboxProcess, code: number | null, signal: NodeJS.Signals | null) => this.#onExit(child, code, signal),
  };
  #child: SandboxProcess | undefined;
  #nextId = 0;
  #closed = false;
  readonly #metrics: SandboxMetrics | undefined;

  /** `metrics` hears of every replaced sandbox process and of every request entering and leaving it. */
  constructor(limits: SandboxLimits, metrics?: SandboxMetrics) {
    this.#limits = LimitsSchema.parse(limits);
    this.#metrics = metrics;
    this.#spawn(); // warm up now, not on the first login
  }

  /** Process id of the current sandbox process (for operations and tests). */
  get pid(): number | undefined {
    return this.#child?.proc.pid;
  }

  run(input: ProfileScriptInput): Promise<ScriptResult> {
    return new Promise((resolve) => {
      this.#ask((id) => ({ t: 'run', id, input }), (answer, durationMs) => resolve({ ...runResult(answer), durationMs }));
    });
  }

  check(script: string): Promise<ScriptCheck> {
    return new Promise((resolve) => {
      this.#ask((id) => ({ t: 'check', id, script }), (answer, durationMs) => resolve({ ...checkResult(answer), durationMs }));
    });
  }

  /** Sends one request to the child; `settle` gets its answer, or the failure the parent decides on. */
  #ask(message: (id: number) => ParentMessage, settle: InFlight['settle']): void {
    const started = performance.now();
    if (this.#closed) return settle(lost(failure('crashed', 'the script runner is closed')), 0);
    const child = this.#child ?? this.#spawn();
    const id = ++this.#nextId;
    const entry: InFlight = { child, started, watchdog: undefined, settle };
    this.#inFlight.set(id, entry);
    this.#metrics?.sandboxQueueChanged(1);
    this.#arm(id, entry, child.ready ? 0 : STARTUP_MS);
    send(child, message(id));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#inFlight.keys()]) this.#resolve(id, lost(failure('crashed', 'the script runner is closed')));
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || !isAlive(child)) return;
    await new Promise<void>((done) => {
      const timer = setTimeout(() => kill(child), 1000);
      child.proc.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      child.proc.disconnect(); // the worker exits when its parent lets go
    });
  }

  #spawn(): SandboxProcess {
    this.#child = startSandboxProcess(this.#limits, this.#events);
    return this.#child;
  }

  #onMessage(child: SandboxProcess, raw: unknown): void {
    const parsed = ChildMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.t === 'result' || message.t === 'checked') {
      if (this.#inFlight.get(message.id)?.child === child) this.#resolve(message.id, message);
    } else if (message.t === 'pong') child.lastPong = Math.max(child.lastPong, message.n);
    else if (message.t === 'ready') {
      child.ready = true;
      for (const [id, entry] of this.#inFlight) if (entry.child === child) this.#arm(id, entry, 0);
    }
  }

  // A pending run's timer is also what keeps this process alive for its answer (the child is unref'd).
  #arm(id: number, entry: InFlight, extraMs: number): void {
    clearTimeout(entry.watchdog);
    entry.watchdog = setTimeout(() => this.#overdue(id), this.#limits.timeoutMs + GRACE_MS + extraMs);
  }

  #resolve(id: number, answer: Answer): void {
    const entry = this.#inFlight.get(id);
    if (entry === undefined) return;
    this.#inFlight.delete(id);
    clearTimeout(entry.watchdog);
    this.#metrics?.sandboxQueueChanged(-1);
    entry.settle(answer, performance.now() - entry.started);
    const { child } = entry;
    if (child.retired && child.proc.connected && ![...this.#inFlight.values()].some((e) => e.child === child)) child.proc.disconnect();
  }

  // The child did not answer by the deadline although each of its isolate entries is bounded
  // by that deadline: answer for it, send later runs to a fresh process, and kill this one
  // unless it proves it is alive (it then ends once its other runs are answered).
  #overdue(id: number): void {
    const entry = this.#inFlight.get(id);
    if (entry === undefined) return;
    const child = entry.child;
    send(child, { t: 'cancel', id });
    if (this.#child === child) {
      child.retired = true;
      this.#child = undefined;
      if (!this.#closed) {
        this.#metrics?.sandboxRestarted('unresponsive');
        this.#spawn();
      }
    }
    this.#resolve(id, lost(failure('timeout', `the script did not finish within ${this.#limits.timeoutMs} ms`)));
    const n = ++this.#nextId;
    send(child, { t: 'ping', n });
    setTimeout(() => child.lastPong < n && kill(child), GRACE_MS).unref();
  }

  #onExit(child: SandboxProcess, code: number | null, signal: NodeJS.Signals | null): void {
    const death = deathOutcome(child, code, signal);
    const outcome = lost(death);
    for (const [id, entry] of [...this.#inFlight]) if (entry.child === child) this.#resolve(id, outcome);
    if (this.#child !== child) return;
    this.#child = undefined;
    // Replace it now so the next login finds a warm sandbox, unless it cannot even start.
    if (!this.#closed && child.ready) {
      this.#metrics?.sandboxRestarted(death.kind === 'memory' ? 'memory' : 'crashed');
      this.#spawn();
    }
  }
}
