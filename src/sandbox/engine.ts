import { IsolateHost } from './isolate-host.ts';
import { failure, type CheckOutcome, type Outcome } from './protocol.ts';
import { checkScript } from './script-check.ts';
import { ScriptRun } from './script-run.ts';
import type { ProfileScriptInput, SandboxLimits } from './types.ts';

/**
 * The sandbox process's scheduler: starts runs in fresh contexts of the warm isolate,
 * refills the context pool when the process is otherwise idle, and replaces the isolate
 * when a script blew its memory limit (isolated-vm disposes it).
 */

/** Fresh contexts kept ready; a burst larger than this pays context creation on its path. */
const POOL_SIZE = 4;

export class Engine {
  readonly #limits: SandboxLimits;
  readonly #report: (id: number, outcome: Outcome) => void;
  readonly #onCatastrophicError: (message: string) => void;
  readonly #runs = new Map<number, ScriptRun>();
  #host: IsolateHost;
  #refillQueued = false;

  constructor(limits: SandboxLimits, report: (id: number, outcome: Outcome) => void, onCatastrophicError: (message: string) => void) {
    this.#limits = limits;
    this.#report = report;
    this.#onCatastrophicError = onCatastrophicError;
    this.#host = new IsolateHost(limits.memoryMb, onCatastrophicError);
    this.#scheduleRefill();
  }

  /** Starts run `id`; its outcome is reported exactly once. */
  run(id: number, input: ProfileScriptInput): void {
    const host = this.#host;
    let run: ScriptRun;
    try {
      const compiled = host.compile(input.cacheKey, input.script);
      if (compiled.script === undefined) {
        const error = compiled.error ?? failure('syntax', 'the script does not compile');
        // A traced run that never started still answers with its (empty) trace, as the contract says.
        return this.#report(id, input.trace ? { ...error, trace: { console: [], truncated: false, requests: [] } } : error);
      }
      run = new ScriptRun(host, host.take(), this.#limits, (outcome, isolateLost) => this.#done(id, outcome, isolateLost));
      this.#runs.set(id, run);
      run.start(compiled.script, input);
    } catch (err) {
      // Compiling or preparing a context can only fail when the isolate itself is gone.
      this.#runs.delete(id);
      this.#report(id, host.isolate.isDisposed ? failure('memory', 'the sandbox ran out of memory') : failure('crashed', String(err)));
      if (host.isolate.isDisposed) this.#replaceIsolate(host);
      return;
    }
    this.#scheduleRefill();
  }

  /** Checks a script (ScriptRunner.check) in a fresh context of the warm isolate; synchronous. */
  check(script: string): CheckOutcome {
    const host = this.#host;
    let outcome: CheckOutcome;
    try {
      outcome = checkScript(host, script);
    } catch (err) {
      outcome = { ok: false, kind: 'unavailable', message: `the sandbox could not check the script (${String(err).slice(0, 200)}); retry` };
    }
    if (host.isolate.isDisposed) this.#replaceIsolate(host);
    else this.#scheduleRefill();
    return outcome;
  }

  /** The parent gave up on run `id` (its deadline passed there): stop it and free its context. */
  cancel(id: number): void {
    this.#runs.get(id)?.end(failure('timeout', 'the run was cancelled by the runner'));
  }

  #done(id: number, outcome: Outcome, isolateLost: boolean): void {
    const run = this.#runs.get(id);
    this.#runs.delete(id);
    this.#report(id, outcome);
    if (isolateLost && run !== undefined) this.#replaceIsolate(run.host);
  }

  #replaceIsolate(lost: IsolateHost): void {
    if (this.#host !== lost) return;
    this.#host = new IsolateHost(this.#limits.memoryMb, this.#onCatastrophicError);
    for (const run of [...this.#runs.values()]) {
      if (run.host === lost) run.end(failure('crashed', 'the sandbox was reset because another script exceeded the memory limit'));
    }
    lost.dispose();
    this.#scheduleRefill();
  }

  // One context per turn of the event loop, so a run arriving meanwhile waits for at most one.
  #scheduleRefill(): void {
    if (this.#refillQueued) return;
    this.#refillQueued = true;
    setImmediate(() => {
      this.#refillQueued = false;
      const host = this.#host;
      if (host.isolate.isDisposed || host.pooled >= POOL_SIZE) return;
      try {
        host.prepare();
      } catch {
        if (host.isolate.isDisposed) this.#replaceIsolate(host);
        return;
      }
      this.#scheduleRefill();
    });
  }

  /** Stops every run and frees the isolate. */
  dispose(): void {
    for (const run of [...this.#runs.values()]) run.end(failure('crashed', 'the sandbox is shutting down'));
    this.#host.dispose();
  }
}
