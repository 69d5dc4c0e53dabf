import type ivm from 'isolated-vm';
import type { IsolateHost, Slot } from './isolate-host.ts';
import { scriptLine } from './outcome.ts';

/**
 * Evaluating a compiled script: the step between compiling and calling, shared by a run and a
 * check so that both judge "is this a function" the same way. The admin's text is compiled as
 * one parenthesised expression; a function expression evaluates without running its body,
 * while a bare statement such as `cb(null, {...})` runs right here, inside the isolate.
 */

/** isolated-vm's message for an isolate call that ran out of time (ScriptRun's own deadline says the same). */
export const TIMED_OUT = 'Script execution timed out.';

/** The function the script defines, or what it is instead (said of the script as written). */
export type Evaluated = { fn: ivm.Reference } | { problem: string; line?: number };

const describe = (err: unknown): { text: string; stack: string } => err instanceof Error
  ? { text: `${err.name}: ${err.message}`.slice(0, 500), stack: err.stack ?? '' }
  : { text: String(err).slice(0, 500), stack: '' };

/**
 * Evaluates the compiled script in the slot's context, bounded by `timeoutMs`. Throws only
 * when the isolate itself gave out (disposed by its memory limit, or out of time): the caller
 * classifies that. Whatever else the evaluation throws is the script's doing, and a value.
 */
export function evaluate(host: IsolateHost, slot: Slot, script: ivm.Script, timeoutMs: number): Evaluated {
  let ref: ivm.Reference;
  try {
    ref = script.runSync(slot.context, { reference: true, timeout: timeoutMs }) as ivm.Reference;
  } catch (err) {
    if (host.isolate.isDisposed || (err instanceof Error && err.message === TIMED_OUT)) throw err;
    const { text, stack } = describe(err);
    const line = scriptLine(stack);
    return { problem: `it runs code outside a function, which threw ${text}`, ...(line !== undefined ? { line } : {}) };
  }
  if (ref.typeof === 'function') return { fn: ref };
  const type = ref.typeof;
  ref.release();
  return { problem: `it evaluates to ${type === 'undefined' || type === 'null' ? type : `a value of type ${type}`}` };
}
