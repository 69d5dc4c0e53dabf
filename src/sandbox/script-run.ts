import ivm from 'isolated-vm';
import { EgressError, egressFetch, isDenied, type EgressResponse } from '../lib/egress.ts';
import { evaluate, TIMED_OUT } from './evaluate.ts';
import { IsolateHost, type Slot } from './isolate-host.ts';
import { errorOutcome, notAFunction, profileOutcome, scriptLine } from './outcome.ts';
import { failure, type Outcome } from './protocol.ts';
import { ScriptRequestError, toEgressRequest, toScriptResponse } from './script-request.ts';
import { TraceRecorder } from './script-trace.ts';
import type { ProfileScriptInput, SandboxLimits } from './types.ts';

/**
 * One run of a profile script inside the sandbox process. All isolate execution happens in
 * synchronous "entries" made here (start, then one per delivered response), each with
 * isolated-vm's `timeout` set to what is left of the run: microtasks run inside the entry,
 * so every instant of script CPU is bounded and belongs to this run. Between entries a host
 * timer enforces the wall deadline while the script awaits its requests.
 *
 * Script HTTP is made here, in the sandbox process, rather than in the server: a response
 * goes straight into the isolate without another IPC hop, the run's request and byte budgets
 * are counted where the script spends them, and a killed sandbox takes its sockets with it.
 * It still goes through the same egressFetch (and policy) as every other upstream request.
 */

export class ScriptRun {
  readonly host: IsolateHost;
  readonly #slot: Slot;
  readonly #limits: SandboxLimits;
  readonly #deadline: number;
  readonly #timer: NodeJS.Timeout;
  readonly #report: (outcome: Outcome, isolateLost: boolean) => void;
  readonly #pending = new Map<number, AbortController>();
  #requests = 0;
  #bytes = 0;
  /** Response bytes promised to requests still in flight: parallel requests share one budget. */
  #reserved = 0;
  readonly #reservations = new Map<number, number>();
  #awaiting = false;
  #inEntry = false;
  #outcome: Outcome | undefined;
  #finished = false;
  #isolateLost = false;
  /** Only a run that asked for a trace has one. */
  #trace: TraceRecorder | undefined;

  constructor(host: IsolateHost, slot: Slot, limits: SandboxLimits, report: (outcome: Outcome, isolateLost: boolean) => void) {
    this.host = host;
    this.#slot = slot;
    this.#limits = limits;
    this.#report = report;
    this.#deadline = performance.now() + limits.timeoutMs;
    this.#timer = setTimeout(() => this.end(this.#timeout()), limits.timeoutMs);
    slot.hooks = {
      send: (id, json) => this.#send(id, json),
      settle: (kind, payload) => this.#settled(kind, payload),
      log: (level, text) => this.#trace?.log(level, text) ?? false,
    };
  }

  /** Runs the compiled script's function with the input. */
  start(script: ivm.Script, input: ProfileScriptInput): void {
    if (input.trace) this.#trace = new TraceRecorder(input.accessToken);
    this.#enter((left) => {
      const evaluated = evaluate(this.host, this.#slot, script, left());
      if (!('fn' in evaluated)) {
        this.#outcome ??= failure('not_a_function', notAFunction(evaluated.problem), evaluated.line);
        return;
      }
      const { fn } = evaluated;
      const context = new ivm.ExternalCopy(input.context).copyInto({ release: true });
      const args = ['start', fn.derefInto({ release: true }), input.accessToken, context, input.trace === true];
      const awaiting = this.#slot.dispatch.applySync(undefined, args, { timeout: left() });
      this.#awaiting = awaiting === true;
    });
  }

  /** Ends the run with `outcome` unless it already has one (first outcome wins). */
  end(outcome: Outcome): void {
    this.#outcome ??= outcome;
    if (!this.#inEntry) this.#finish();
  }

  #timeout(): Outcome {
    return failure('timeout', `the script did not finish within ${this.#limits.timeoutMs} ms`);
  }

  /** Runs `body`, whose isolate calls get `left()`: the time remaining to the deadline. */
  #enter(body: (left: () => number) => void): void {
    const left = (): number => {
      const ms = Math.ceil(this.#deadline - performance.now());
      if (ms <= 0) throw new Error(TIMED_OUT);
      return ms;
    };
    this.#inEntry = true;
    try {
      body(left);
    } catch (err) {
      this.#outcome ??= this.#classify(err);
    } finally {
      this.#inEntry = false;
    }
    // Nothing can call back any more: no request is in flight and no promise is pending.
    if (this.#outcome === undefined && this.#pending.size === 0 && !this.#awaiting) {
      this.#outcome = failure('no_callback', 'the script finished without calling cb(err, profile) or returning a profile, and no request is pending');
    }
    if (this.#outcome !== undefined) this.#finish();
  }

  #classify(err: unknown): Outcome {
    if (this.host.isolate.isDisposed) {
      this.#isolateLost = true;
      return failure('memory', `the script exceeded the memory limit of ${this.#limits.memoryMb} MB`);
    }
    const message = err instanceof Error ? err.message : String(err);
    if (message === TIMED_OUT) return this.#timeout();
    // The isolate is alive, so the error came from code in the script's context: the script's
    // own, or the sandbox's helpers after the script replaced the built-ins they use. Either way
    // it is the script's failure (access_denied to the app), never an outage of the sandbox.
    return failure('thrown', message.slice(0, 2000) || 'the script threw', err instanceof Error ? scriptLine(err.stack ?? '') : undefined);
  }

  #settled(kind: unknown, payload: unknown): void {
    if (kind === 'returned') this.#awaiting = false;
    else if (kind === 'ok') this.end(profileOutcome(payload));
    else if (kind === 'thrown' || kind === 'callback_error') this.end(errorOutcome(kind, payload));
    else this.end(failure('invalid_result', typeof payload === 'string' ? payload : 'the profile is invalid'));
  }

  #send(id: unknown, json: unknown): string | undefined {
    if (this.#outcome !== undefined || typeof id !== 'number' || typeof json !== 'string') return 'request: this run has ended';
    if (this.#requests >= this.#limits.maxRequests) {
      this.end(failure('request_limit', `the script made more than ${this.#limits.maxRequests} requests`));
      return 'request: the request limit of this run is reached';
    }
    let request;
    try {
      request = toEgressRequest(json);
    } catch (err) {
      if (err instanceof ScriptRequestError) return err.message;
      throw err;
    }
    const available = this.#limits.maxResponseBytes - this.#bytes - this.#reserved;
    if (available <= 0) {
      this.end(failure('request_limit', `the script's requests may read at most ${this.#limits.maxResponseBytes} response bytes in all`));
      return 'request: the response budget of this run is used up';
    }
    this.#requests++;
    const controller = new AbortController();
    this.#pending.set(id, controller);
    const policy = {
      ...this.#limits.egress, // the deployment's reach (insecure, EGRESS_ALLOW) as is; time and size narrowed to this run
      timeoutMs: Math.max(1, Math.min(this.#limits.egress.timeoutMs, Math.ceil(this.#deadline - performance.now()))),
      maxBytes: Math.min(this.#limits.egress.maxBytes, available),
    };
    this.#reserved += policy.maxBytes;
    this.#reservations.set(id, policy.maxBytes);
    this.#trace?.requestStarted(id, request.method, request.url);
    egressFetch({ ...request, signal: controller.signal }, policy).then(
      (res) => this.#deliver(id, res),
      (err: unknown) => this.#deliver(id, err instanceof EgressError ? err : new EgressError('network', 'the request failed')),
    );
    return undefined;
  }

  #deliver(id: number, result: EgressResponse | EgressError): void {
    this.#reserved -= this.#reservations.get(id) ?? 0;
    this.#reservations.delete(id);
    if (!this.#pending.delete(id) || this.#outcome !== undefined) return;
    this.#trace?.requestEnded(id, result instanceof EgressError ? { error: result.message } : { status: result.status });
    let payload;
    if (result instanceof EgressError) {
      if (isDenied(result)) return this.end(failure('egress_denied', result.message));
      if (result.code === 'too_large') return this.end(failure('request_limit', result.message));
      payload = { error: result.message };
    } else {
      this.#bytes += result.body.length;
      payload = toScriptResponse(result);
    }
    this.#enter((left) => {
      this.#slot.dispatch.applySync(undefined, ['deliver', id, new ivm.ExternalCopy(payload).copyInto({ release: true })], { timeout: left() });
    });
  }

  #finish(): void {
    if (this.#finished || this.#outcome === undefined) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    for (const controller of this.#pending.values()) controller.abort();
    this.#pending.clear();
    IsolateHost.release(this.#slot);
    this.#report(this.#trace ? { ...this.#outcome, trace: this.#trace.result() } : this.#outcome, this.#isolateLost);
  }
}
