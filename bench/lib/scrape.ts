import { round } from './stats.ts';

/**
 * The server's own view of a step: /metrics scraped when the driver's measured window opens
 * and closes (one scrape answers for every worker), and the difference turned into
 * per-step latency histograms (p50/p95 from the buckets, as Prometheus' histogram_quantile
 * does) and store statements per login.
 */

/** Samples of one scrape: `name{labels}` → value. */
export type Samples = Map<string, number>;

/** Parses a Prometheus text exposition (comments skipped). */
export function parseExposition(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    const value = Number(line.slice(cut + 1));
    if (cut > 0 && Number.isFinite(value)) out.set(line.slice(0, cut), value);
  }
  return out;
}

/** One histogram series over a window: observations, and quantiles in ms (upper bound when in the +Inf bucket). */
export interface WindowHistogram { count: number; p50Ms: number; p95Ms: number; meanMs: number }

/** What the server measured of one step. */
export interface ServerView {
  /** `family{labels}` (le dropped) → its histogram over the window, for every brokerid_*_seconds histogram. */
  histograms: Record<string, WindowHistogram>;
  /** brokerid_store_statements_total{kind} per completed operation, or null when the server does not expose it. */
  statementsPerOp: { read: number; write: number } | null;
  /** brokerid_store_errors_total over the window (null when not exposed). */
  storeErrors: number | null;
}

const BUCKET = /^(brokerid_\w+_seconds)_bucket\{(.*)\}$/;

/** Bucket upper bounds and cumulative counts per series, from the window's differences. */
function bucketsOf(before: Samples, after: Samples): Map<string, { le: number; n: number }[]> {
  const series = new Map<string, { le: number; n: number }[]>();
  for (const [key, value] of after) {
    const m = BUCKET.exec(key);
    if (!m) continue;
    const labels = m[2]!.split(',').filter((l) => !l.startsWith('le='));
    const le = /le="([^"]+)"/.exec(m[2]!)?.[1] ?? '+Inf';
    const name = `${m[1]}{${labels.join(',')}}`;
    const list = series.get(name) ?? [];
    list.push({ le: le === '+Inf' ? Infinity : Number(le), n: value - (before.get(key) ?? 0) });
    series.set(name, list);
  }
  return series;
}

/** The q-quantile of cumulative buckets, linearly within its bucket (the +Inf bucket answers its lower bound). */
function quantile(q: number, buckets: { le: number; n: number }[]): number {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted[sorted.length - 1]?.n ?? 0;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const { le, n } of sorted) {
    if (n >= rank) return le === Infinity ? lower : lower + ((le - lower) * (rank - below)) / Math.max(1, n - below);
    lower = le;
    below = n;
  }
  return lower;
}

/** Sum of every sample of `family` whose labels include `label` (all of them when omitted); null when the family is absent. */
function sumOf(samples: Samples, family: string, label = ''): number | null {
  let found = false;
  let sum = 0;
  for (const [key, value] of samples) {
    if (key !== family && !key.startsWith(`${family}{`)) continue;
    found = true;
    if (key.includes(label)) sum += value;
  }
  return found ? sum : null;
}

/** The server's view of the window between two scrapes, `ops` operations completed in it. */
export function serverView(beforeText: string, afterText: string, ops: number): ServerView {
  const before = parseExposition(beforeText);
  const after = parseExposition(afterText);
  const histograms: Record<string, WindowHistogram> = {};
  for (const [name, buckets] of bucketsOf(before, after)) {
    const count = Math.max(0, ...buckets.map((b) => b.n));
    if (count === 0) continue;
    const sumKey = name.replace(/\{/, '_sum{').replace('_sum{}', '_sum');
    const seconds = (after.get(sumKey) ?? 0) - (before.get(sumKey) ?? 0);
    histograms[name.replace('{}', '')] = {
      count, p50Ms: round(quantile(0.5, buckets) * 1000, 2), p95Ms: round(quantile(0.95, buckets) * 1000, 2), meanMs: round((seconds / count) * 1000, 2),
    };
  }
  // A labelled counter nothing has incremented yet has its TYPE line and no sample: exposed, at 0.
  const delta = (family: string, label?: string): number | null => {
    const now = sumOf(after, family, label) ?? (afterText.includes(`# TYPE ${family} `) ? 0 : null);
    return now === null ? null : now - (sumOf(before, family, label) ?? 0);
  };
  const reads = delta('brokerid_store_statements_total', 'kind="read"');
  const writes = delta('brokerid_store_statements_total', 'kind="write"') ?? 0;
  return {
    histograms,
    statementsPerOp: reads === null || ops <= 0 ? null : { read: round(reads / ops, 2), write: round(writes / ops, 2) },
    storeErrors: delta('brokerid_store_errors_total'),
  };
}

/** A scraper of the server's /metrics (METRICS_TOKEN set by the bench); undefined when it does not answer 200. */
export function scraper(issuer: string, token: string): () => Promise<string | undefined> {
  return async () => {
    try {
      const res = await fetch(`${issuer}metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
      return res.ok ? await res.text() : undefined;
    } catch {
      return undefined;
    }
  };
}

/** The callback steps worth a column (the others are in-memory checks, inside the first bucket). */
const KEY_STEPS = ['exchangeCode', 'runProfile', 'saveUser'];

/** The histograms a summary shows: the whole callback, the key steps, and any other family (the JSON keeps every one). */
export function keyHistogram(name: string): boolean {
  const step = /^brokerid_login_step_duration_seconds\{step="(\w+)"\}$/.exec(name);
  return step ? KEY_STEPS.includes(step[1]!) : true;
}

/** One line of a step's server view: each histogram's p50/p95 and the statements per operation. */
export function viewLine(view: ServerView): string {
  const short = (name: string): string => name.replace(/^brokerid_/, '').replace(/_duration_seconds/, '');
  const hists = Object.entries(view.histograms).filter(([k]) => keyHistogram(k)).map(([k, h]) => `${short(k)} p50 ${h.p50Ms} / p95 ${h.p95Ms} ms (${h.count})`);
  const statements = view.statementsPerOp ? `store statements per op: ${view.statementsPerOp.read} reads + ${view.statementsPerOp.write} writes`
    : 'store statements: not exposed';
  return [...hists, statements, `store errors ${view.storeErrors ?? 'not exposed'}`].join('; ');
}
