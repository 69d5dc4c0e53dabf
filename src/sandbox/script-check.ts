import { evaluate, TIMED_OUT } from './evaluate.ts';
import { IsolateHost } from './isolate-host.ts';
import type { CheckOutcome } from './protocol.ts';
import { SCRIPT_CHECK_TIMEOUT_MS } from './types.ts';

/**
 * The save-time check of ScriptRunner.check, inside the sandbox process: compile, then
 * evaluate in a fresh context whose request hooks are unset (a request made while evaluating
 * is refused), and never call the function. Throws only when the isolate is gone for another
 * reason than this script; the engine then answers `unavailable`.
 */
export function checkScript(host: IsolateHost, source: string): CheckOutcome {
  const compiled = host.compileFresh(source);
  if ('syntax' in compiled) return { ok: false, kind: 'syntax', ...compiled.syntax };
  const slot = host.take();
  try {
    const evaluated = evaluate(host, slot, compiled.script, SCRIPT_CHECK_TIMEOUT_MS);
    if ('fn' in evaluated) {
      evaluated.fn.release();
      return { ok: true };
    }
    return { ok: false, kind: 'not_a_function', message: evaluated.problem, ...(evaluated.line !== undefined ? { line: evaluated.line } : {}) };
  } catch (err) {
    if (host.isolate.isDisposed) return { ok: false, kind: 'not_a_function', message: 'it runs code outside a function, which exceeded the memory limit' };
    if (err instanceof Error && err.message === TIMED_OUT) {
      return { ok: false, kind: 'not_a_function', message: `it runs code outside a function, which did not finish within ${SCRIPT_CHECK_TIMEOUT_MS} ms` };
    }
    throw err;
  } finally {
    IsolateHost.release(slot);
    if (!host.isolate.isDisposed) compiled.script.release();
  }
}
