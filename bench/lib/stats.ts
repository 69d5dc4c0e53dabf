import type { Percentiles } from './protocol.ts';

/** Nearest-rank percentiles of a sample (sorted in place). */
export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p95: 0, p99: 0, mean: 0, max: 0 };
  values.sort((a, b) => a - b);
  const at = (p: number): number => values[Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1))] ?? 0;
  const sum = values.reduce((a, b) => a + b, 0);
  return { p50: at(50), p95: at(95), p99: at(99), mean: sum / values.length, max: values[values.length - 1] ?? 0 };
}

/** Rounds for display and JSON (keeps three significant decimals for small numbers). */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A ratio rounded to two decimals, or null when the denominator is 0. */
export function ratio(a: number, b: number): number | null {
  return b > 0 ? round(a / b, 2) : null;
}
