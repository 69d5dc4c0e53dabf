import { readFileSync } from 'node:fs';
import ivm from 'isolated-vm';
import { SCRIPT_FILENAME, syntaxOutcome, syntaxProblem, wrapScript, type SyntaxProblem } from './outcome.ts';
import type { Outcome } from './protocol.ts';

/**
 * One warm isolate (creating one costs ~2 ms and leaks, so it lives as long as it is healthy),
 * a pool of fresh contexts prepared ahead of time (a context costs ~0.3-0.7 ms: too slow for
 * the login path, cheap in idle time), and the compiled admin scripts per cache key.
 */

const source = (name: string): string => readFileSync(new URL(`./isolate/${name}`, import.meta.url), 'utf8');
const BOOTSTRAP_SOURCE = source('bootstrap.js');
const BYTES_SOURCE = source('bytes.js');
const MAX_CACHED_SCRIPTS = 256;

/** What a run plugs into its context's host callbacks. */
export interface SlotHooks {
  /** The script starts a request; a string return is thrown in the script as a TypeError. */
  send(id: unknown, optionsJson: unknown): string | undefined;
  /** The script settled: kind 'ok' | 'thrown' | 'callback_error' | 'invalid_result' | 'returned'. */
  settle(kind: unknown, payload: unknown): void;
  /** A console.* line of a traced run; false tells the isolate to stop sending (bounds reached, or no trace). */
  log(level: unknown, text: unknown): boolean;
}

/** A fresh context with the sandbox globals installed, owned by at most one run. */
export interface Slot {
  context: ivm.Context;
  /** The bootstrap's dispatch(op, ...) in the context: the host's only way in. */
  dispatch: ivm.Reference<(...args: unknown[]) => boolean>;
  hooks: SlotHooks | undefined;
}

interface CompiledScript {
  source: string;
  script?: ivm.Script;
  error?: Outcome;
}

export class IsolateHost {
  readonly isolate: ivm.Isolate;
  readonly #bootstrap: ivm.Script;
  readonly #bytes: ivm.Script;
  readonly #pool: Slot[] = [];
  readonly #scripts = new Map<string, CompiledScript>();

  constructor(memoryMb: number, onCatastrophicError: (message: string) => void) {
    this.isolate = new ivm.Isolate({ memoryLimit: memoryMb, onCatastrophicError });
    this.#bootstrap = this.isolate.compileScriptSync(BOOTSTRAP_SOURCE, { filename: 'sandbox-bootstrap.js' });
    this.#bytes = this.isolate.compileScriptSync(BYTES_SOURCE, { filename: 'sandbox-bytes.js' });
  }

  get pooled(): number {
    return this.#pool.length;
  }

  /** Creates one fresh context with the globals installed and adds it to the pool. */
  prepare(): void {
    this.#pool.push(this.#create());
  }

  /** A fresh context for one run: from the pool, or made now when the pool is empty. */
  take(): Slot {
    return this.#pool.pop() ?? this.#create();
  }

  #create(): Slot {
    const context = this.isolate.createContextSync();
    let slot: Slot | undefined;
    // Callbacks are bound to this slot, not to a run id the script could learn and forge.
    const send = new ivm.Callback((id: unknown, json: unknown) => (slot?.hooks ? slot.hooks.send(id, json) : 'request: this run has ended'));
    const settle = new ivm.Callback((kind: unknown, payload: unknown) => slot?.hooks?.settle(kind, payload));
    const log = new ivm.Callback((level: unknown, text: unknown) => slot?.hooks?.log(level, text) ?? false);
    const bytes = this.#bytes.runSync(context, { reference: true, timeout: 1000 });
    const bootstrap = this.#bootstrap.runSync(context, { reference: true, timeout: 1000 });
    const args = [send, settle, bytes.derefInto({ release: true }), log];
    const dispatch = bootstrap.applySync(undefined, args, { result: { reference: true }, timeout: 1000 });
    bootstrap.release();
    slot = { context, dispatch: dispatch as Slot['dispatch'], hooks: undefined };
    return slot;
  }

  /** The compiled script for a cache key, or the syntax outcome it compiles to (both cached). */
  compile(cacheKey: string, source: string): CompiledScript {
    const cached = this.#scripts.get(cacheKey);
    if (cached !== undefined && cached.source === source) {
      this.#scripts.delete(cacheKey); // re-insert: the Map's order is the LRU order
      this.#scripts.set(cacheKey, cached);
      return cached;
    }
    const compiled = this.compileFresh(source);
    const entry: CompiledScript = 'script' in compiled ? { source, script: compiled.script } : { source, error: syntaxOutcome(compiled.syntax) };
    cached?.script?.release();
    this.#scripts.delete(cacheKey);
    this.#scripts.set(cacheKey, entry);
    if (this.#scripts.size > MAX_CACHED_SCRIPTS) {
      const [oldestKey, oldest] = this.#scripts.entries().next().value ?? [];
      if (oldestKey !== undefined) this.#scripts.delete(oldestKey);
      oldest?.script?.release();
    }
    return entry;
  }

  /**
   * Compiles the admin's text as the expression it must be, uncached (the caller releases the
   * script). Compiling runs nothing; only a gone isolate throws.
   */
  compileFresh(source: string): { script: ivm.Script } | { syntax: SyntaxProblem } {
    const code = wrapScript(source);
    try {
      return { script: this.isolate.compileScriptSync(code, { filename: SCRIPT_FILENAME }) };
    } catch (err) {
      if (this.isolate.isDisposed) throw err;
      return { syntax: syntaxProblem(err, code) };
    }
  }

  /** Frees a context after its run. */
  static release(slot: Slot): void {
    slot.hooks = undefined;
    try {
      slot.dispatch.release();
      slot.context.release();
    } catch {
      // The isolate is already gone; nothing left to free.
    }
  }

  dispose(): void {
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }
}
