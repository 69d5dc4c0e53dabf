import { RE2JS } from 're2js';
import { FifoCache } from '../lib/fifo-cache.ts';

/**
 * The `pattern` of a template_params entry. An app (or whoever crafts the /authorize link)
 * chooses the value, and the admin chooses the pattern: run on JavaScript's backtracking
 * engine, a pattern like `(a+)+$` makes one unauthenticated request cost seconds of the main
 * thread. RE2 (re2js, a pure-JS port: no native addon to build for the wrong Node) matches
 * in time linear in the value, and refuses what it cannot do so (backreferences,
 * lookaround) when the connection is saved.
 */

/** Longest value a template placeholder takes (the length of a whole DNS name). */
export const MAX_TEMPLATE_VALUE_CHARS = 253;

const compiled = new FifoCache<string, RE2JS>(500);

/** The pattern compiled for whole-value matching; throws RE2's syntax error when it cannot be compiled. */
function compile(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    re = RE2JS.compile(`(?:${pattern})`);
    compiled.set(pattern, re);
  }
  return re;
}

/** Why `pattern` cannot be used (RE2 syntax), or undefined when it can. */
export function templatePatternProblem(pattern: string): string | undefined {
  try {
    compile(pattern);
    return undefined;
  } catch (err) {
    return `cannot be used: ${(err as Error).message} (patterns use RE2 syntax, which runs in linear time: no backreferences or lookaround)`;
  }
}

/** Whether the whole `value` matches `pattern`; false for a pattern RE2 cannot compile. */
export function matchesTemplatePattern(pattern: string, value: string): boolean {
  try {
    return compile(pattern).matches(value);
  } catch {
    return false;
  }
}
