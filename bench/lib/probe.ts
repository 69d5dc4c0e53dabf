import { AsyncLocalStorage } from 'node:async_hooks';
import { Server } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * Diagnosis only (`npm run bench -- --profile --probe`): preloaded into each server process
 * with --import, it times every node:sqlite call (they are synchronous, so their time is
 * time the event loop is blocked, including SQLite's busy-wait sleeps when another process
 * holds the write lock) and the event-loop delay, and writes one JSON line to stderr every
 * 2 s of activity.
 *
 * It also counts every statement by the HTTP request that ran it ("GET /login/:id", ids
 * folded as the driver folds them): on SIGUSR2 the process writes those counts since the
 * last SIGUSR2 as one `{"probeStatements":pid,...}` line and starts again (`--costs --probe`
 * signals it around the measured logins and divides by their number).
 */

interface Entry { calls: number; ms: number; slow: number; max: number }
const bySql = new Map<string, Entry>();
let windowStart = performance.now();
/** SQLITE_BUSY answers in this window (each one is a retry by busy.ts). */
let busy = 0;

/** The request a statement runs for: statements are synchronous, so the store sees the caller's context. */
const request = new AsyncLocalStorage<string>();
const ID_SEGMENT = /\/[A-Za-z0-9_-]{16,}(?=\/|$)/g;
const serverProto = Server.prototype as unknown as { emit: (event: string, ...args: unknown[]) => boolean };
const emit = serverProto.emit;
serverProto.emit = function emitInRequest(this: Server, event: string, ...args: unknown[]): boolean {
  if (event !== 'request') return emit.call(this, event, ...args);
  const req = args[0] as { method?: string; url?: string };
  const label = `${req.method ?? '?'} ${(req.url ?? '').split('?')[0]?.replace(ID_SEGMENT, '/:id')}`;
  return request.run(label, () => emit.call(this, event, ...args));
};

/** Statement counts by request label, then by SQL text, since the last SIGUSR2. */
let byRequest = new Map<string, Map<string, number>>();
process.on('SIGUSR2', () => {
  const out: Record<string, Record<string, number>> = {};
  for (const [label, counts] of byRequest) out[label] = Object.fromEntries(counts);
  process.stderr.write(`${JSON.stringify({ probeStatements: process.pid, byRequest: out })}\n`);
  byRequest = new Map();
});

function record(sql: string, ms: number): void {
  const text = sql.replace(/\s+/g, ' ').trim();
  const label = request.getStore() ?? '(no request)';
  const counts = byRequest.get(label) ?? new Map<string, number>();
  counts.set(text, (counts.get(text) ?? 0) + 1);
  byRequest.set(label, counts);
  const key = text.slice(0, 70);
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
    } catch (err) {
      // SQLITE_BUSY (5, and its extended codes): the write lock was taken; store/sqlite/busy.ts retries.
      if (((err as { errcode?: number }).errcode ?? 0) % 256 === 5) busy++;
      throw err;
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
    probe: process.pid, windowMs: Math.round(windowMs), sqliteMs: Math.round(sqliteMs), sqliteShare: Math.round((sqliteMs / windowMs) * 100) / 100, calls, busy,
    loopDelayMs: { p50: Math.round(delay.percentile(50) / 1e5) / 10, p99: Math.round(delay.percentile(99) / 1e5) / 10, max: Math.round(delay.max / 1e5) / 10 }, top,
  })}\n`);
  bySql.clear();
  busy = 0;
  delay.reset();
  windowStart = performance.now();
}, 2_000);
timer.unref();
