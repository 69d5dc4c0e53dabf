/**
 * Replaces every secret of a run (client secret, custom header values, upstream tokens, the
 * code, state and PKCE verifier) wherever it appears in what a page will show: messages,
 * console output, URLs, profiles. Structure is kept; only string contents change.
 */

export const MASK = '••••••';

/** Very short values would mask ordinary words; no real secret or token is this short. */
const MIN_SECRET_LENGTH = 6;

/** A function that masks the given secrets in any JSON-like value. */
export function masker(secrets: readonly (string | undefined)[]): <T>(value: T) => T {
  const list = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))]
    .sort((a, b) => b.length - a.length);
  const maskText = (text: string): string => list.reduce((t, s) => (t.includes(s) ? t.split(s).join(MASK) : t), text);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return maskText(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, item]) => [maskText(k), walk(item)]));
    return v;
  };
  return <T>(value: T): T => walk(value) as T;
}
