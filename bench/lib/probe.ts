import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * Diagnosis only (`npm run bench -- --profile --probe`): preloaded into each server process
 * with --import, it times every node:sqlite call (they are synchronous, so their time is
 * time the event loop is blocked, including SQLite's busy-wait sleeps when another process
 * holds the write lock) and the event-loop delay, and writes one JSON line to stderr every
 * 2 s of activity.
 */

interface Entry { calls: number; ms: number; slow: number; max: number }
const bySql = new Map<string, Entry>();
let windowStart = performance.now();

function record(sql: string, ms: number): void {
  const key = sql.replace(/\s+/g, ' ').trim().slice(0, 70);
  const e = bySql.get(key) ?? { calls: 0, ms: 0, slow: 0, max: 0 };
  e.calls++;
  e.ms += ms;
  if (ms >= 1) e.slow++;
  e.max = Math.max(e.max, ms);
  bySql.set(key, e);
}

type Method = (...args: unknown[]) => unknown;
const proto = StatementSync.prototype as unknown as Record<string, Method>;
for (const name of ['run', 'get', 'all']) {
  const original = proto[name];
  if (!original) continue;
  proto[name] = function timed(this: StatementSync, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      record(this.sourceSQL, performance.now() - t0);
    }
  };
}
const dbProto = DatabaseSync.prototype as unknown as Record<string, Method>;
const exec = dbProto['exec'];
if (exec) {
  dbProto['exec'] = function timed(this: DatabaseSync, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return exec.apply(this, args);
    } finally {
      record(String(args[0]), performance.now() - t0);
    }
  };
}

const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
const timer = setInterval(() => {
  const calls = [...bySql.values()].reduce((s, e) => s + e.calls, 0);
  if (calls < 50) return;
  const windowMs = performance.now() - windowStart;
  const sqliteMs = [...bySql.values()].reduce((s, e) => s + e.ms, 0);
  const top = [...bySql].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6)
    .map(([sql, e]) => ({ sql, calls: e.calls, ms: Math.round(e.ms), slow: e.slow, maxMs: Math.round(e.max * 10) / 10 }));
  process.stderr.write(`${JSON.stringify({
    probe: process.pid, windowMs: Math.round(windowMs), sqliteMs: Math.round(sqliteMs), sqliteShare: Math.round((sqliteMs / windowMs) * 100) / 100, calls,
    loopDelayMs: { p50: Math.round(delay.percentile(50) / 1e5) / 10, p99: Math.round(delay.percentile(99) / 1e5) / 10, max: Math.round(delay.max / 1e5) / 10 }, top,
  })}\n`);
  bySql.clear();
  delay.reset();
  windowStart = performance.now();
}, 2_000);
timer.unref();
