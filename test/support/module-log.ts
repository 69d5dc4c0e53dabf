import cluster from 'node:cluster';
import { appendFileSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';

/**
 * Preloaded (--import) into a server a test starts, and inherited by its cluster workers:
 * writes into MODULE_LOG_DIR, per process (`primary-<pid>` or `worker-<pid>`), every module
 * URL it loads (`.modules`) and what it was started with (`.json`: execArgv, the V8 heap
 * limit, MALLOC_ARENA_MAX), so a test can see what each process of the tree holds.
 */

const dir = process.env['MODULE_LOG_DIR'];
if (dir) {
  const name = join(dir, `${cluster.isWorker ? 'worker' : 'primary'}-${process.pid}`);
  // Never fails the process it watches (the folder may be gone when a test ends early).
  const append = (line: string): void => {
    try {
      appendFileSync(`${name}.modules`, line);
    } catch {
      // nothing to record into
    }
  };
  writeFileSync(`${name}.json`, JSON.stringify({
    execArgv: process.execArgv, heapSizeLimitMb: getHeapStatistics().heap_size_limit / 2 ** 20, mallocArenaMax: process.env['MALLOC_ARENA_MAX'] ?? null,
  }));
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      append(`${resolved.url}\n`);
      return resolved;
    },
  });
}
