/** Any method, as the wrappers below see it. */
export type Method = (...args: unknown[]) => unknown;

/**
 * A copy of `target` with each of its own function members replaced by `wrap(name, method)`
 * (the method bound to `target`); other members are copied as they are. A wrapper that
 * returns undefined keeps that member unwrapped. The one loop behind the store's
 * per-method wrappers (busy retries, local write counts, error counts).
 */
export function mapMethods<T extends object>(target: T, wrap: (name: string, method: Method) => Method | undefined): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== 'function') {
      out[name] = value;
      continue;
    }
    const method = (value as Method).bind(target);
    out[name] = wrap(name, method) ?? method;
  }
  return out as T;
}
