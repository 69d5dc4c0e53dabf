import { traceUrl } from '../lib/trace-url.ts';
import { TRACE_LIMITS, type ConsoleLine, type ScriptRequestSummary, type ScriptTrace } from './types.ts';

/**
 * Records what one traced run did (see ScriptTrace for the guarantees). Only a run that asked
 * for a trace creates one, so a login pays nothing for it.
 */

const LEVELS: ReadonlySet<string> = new Set(['log', 'info', 'warn', 'error', 'debug']);

export class TraceRecorder {
  readonly #console: ConsoleLine[] = [];
  readonly #requests: ScriptRequestSummary[] = [];
  readonly #started = new Map<number, { entry: ScriptRequestSummary; at: number }>();
  readonly #accessToken: string;
  #bytes = 0;
  #truncated = false;

  constructor(accessToken: string) {
    this.#accessToken = accessToken;
  }

  /** Adds one console line; false once the bounds are reached (the isolate then stops sending). */
  log(level: unknown, text: unknown): boolean {
    if (this.#truncated) return false;
    const line = String(text);
    const bytes = Buffer.byteLength(line);
    if (this.#console.length >= TRACE_LIMITS.lines || this.#bytes + bytes > TRACE_LIMITS.bytes) {
      this.#truncated = true;
      return false;
    }
    this.#bytes += bytes;
    this.#console.push({ level: LEVELS.has(String(level)) ? (String(level) as ConsoleLine['level']) : 'log', text: this.#mask(line) });
    return true;
  }

  /** A request the script started (after its options were accepted). */
  requestStarted(id: number, method: string, url: string): void {
    const entry: ScriptRequestSummary = { method, url: this.#mask(traceUrl(url)), ms: 0 };
    this.#requests.push(entry);
    this.#started.set(id, { entry, at: performance.now() });
  }

  /** The answer (a status) or failure (a message) of a started request. */
  requestEnded(id: number, outcome: { status: number } | { error: string }): void {
    const started = this.#started.get(id);
    if (!started) return;
    this.#started.delete(id);
    started.entry.ms = Math.round((performance.now() - started.at) * 10) / 10;
    if ('status' in outcome) started.entry.status = outcome.status;
    else started.entry.error = this.#mask(outcome.error);
  }

  /** The trace so far; requests still in flight end as "not answered before the run ended". */
  result(): ScriptTrace {
    for (const id of [...this.#started.keys()]) this.requestEnded(id, { error: 'not answered before the run ended' });
    return { console: this.#console, truncated: this.#truncated, requests: this.#requests };
  }

  #mask(text: string): string {
    return this.#accessToken ? text.split(this.#accessToken).join('[access token]') : text;
  }
}
