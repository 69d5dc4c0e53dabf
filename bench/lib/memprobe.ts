import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

/**
 * Diagnosis only (bench/memory.ts): preloaded with --import into the server's Node processes
 * (the primary and, through the execArgv cluster workers inherit, every worker), it writes
 * `<BENCH_MEMPROBE_DIR>/<pid>.json` every 200 ms: what V8 holds now and at most so far
 * (heap by space, external and array buffers), which /proc cannot tell apart from malloc,
 * and the garbage collector's pauses so far (count and ms, minor vs. major) beside the event
 * loop's active time: both are wall time, so their ratio (the share of the main thread's
 * work spent in GC) holds on a busy machine where each alone would be inflated.
 */

const dir = process.env['BENCH_MEMPROBE_DIR'];

/** One reading, in MB. */
interface Reading { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number; spaces: Record<string, number> }

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

function read(): Reading {
  const m = process.memoryUsage();
  const spaces: Record<string, number> = {};
  for (const s of getHeapSpaceStatistics()) spaces[s.space_name.replace(/_space$/, '')] = mb(s.space_size);
  return { rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), spaces };
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

if (dir) {
  const gc: Record<string, { count: number; ms: number }> = {};
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry as { detail?: unknown } as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
      const g = (gc[kind] ??= { count: 0, ms: 0 });
      g.count++;
      g.ms += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  let max: Reading | undefined;
  const file = join(dir, `${process.pid}.json`);
  const timer = setInterval(() => {
    const now = read();
    if (!max) max = now;
    else {
      for (const key of ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const) max[key] = Math.max(max[key], now[key]);
      for (const [space, size] of Object.entries(now.spaces)) max.spaces[space] = Math.max(max.spaces[space] ?? 0, size);
    }
    writeFileSync(file, JSON.stringify({ pid: process.pid, execArgv: process.execArgv, now, max, gc, activeMs: performance.eventLoopUtilization().active }));
  }, 200);
  timer.unref();
}
