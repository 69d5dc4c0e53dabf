import { z } from 'zod';

/**
 * Depth and size limits for JSON this server stores. A value nested deeper than the
 * embedded store's JSON functions accept (SQLite stops at 1,000 levels) used to be stored
 * and then break every later read of its record; so every stored JSON value is measured
 * before anything is written, by one walk that cannot overflow the stack however deep the
 * value is.
 */
export interface JsonBounds {
  /** Deepest nesting of objects and arrays allowed (the value itself is level 1). */
  maxDepth: number;
  /** Largest size allowed, in UTF-8 bytes of its JSON text. */
  maxBytes: number;
}

/** Connection options: Auth0's own options nest 3 or 4 levels; a script may be 50 K characters. */
export const OPTIONS_BOUNDS: JsonBounds = { maxDepth: 32, maxBytes: 192 * 1024 };

/** A profile returned by a fetchUserProfile script (its extra fields end up in the user record). */
export const PROFILE_BOUNDS: JsonBounds = { maxDepth: 32, maxBytes: 128 * 1024 };

/** How deep `value` nests (0 for a scalar), walking at most `stopAt` levels with an explicit stack. */
function depthOf(value: unknown, stopAt: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > stopAt) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/** What is wrong with `value` against `bounds` (the message names both), or undefined when it fits. */
export function jsonBoundsProblem(value: unknown, bounds: JsonBounds): string | undefined {
  const depth = depthOf(value, bounds.maxDepth);
  if (depth > bounds.maxDepth) return `nested more than ${bounds.maxDepth} levels deep (at most ${bounds.maxDepth} levels of objects and arrays are allowed)`;
  // Only now is JSON.stringify safe: its recursion is bounded by maxDepth.
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (bytes > bounds.maxBytes) return `${Math.ceil(bytes / 1024)} KB as JSON (at most ${bounds.maxBytes / 1024} KB are allowed)`;
  return undefined;
}

/**
 * `schema`, preceded by the bounds check: a value out of bounds is refused with one issue
 * naming the limit, and `schema` (whose own walk might recurse) never sees it.
 */
export function boundedJson<S extends z.ZodType>(schema: S, bounds: JsonBounds) {
  return z.unknown().superRefine((value, ctx) => {
    const problem = jsonBoundsProblem(value, bounds);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }).pipe(schema);
}
