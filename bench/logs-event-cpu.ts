import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/lib/logger.ts';
import { createLogWriter, WRITER_DEFAULTS } from '../src/logs/writer.ts';
import { openStore } from '../src/store/open.ts';

/**
 * The CPU one tenant-log event costs its process, split into what runs on the request's path
 * (`emit`: sanitize + queue) and what runs later (the batched store write), measured with
 * process.cpuUsage: this process's own CPU time, which other load on the machine inflates far
 * less than it disturbs throughput. A login writes two events (`s` and `seacft`).
 */
export async function logEventCpu(events = 20_000): Promise<{ emitUs: number; storeUs: number; events: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'brokerid-logcpu-'));
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'store.sqlite') });
  try {
    const writer = createLogWriter({ repo: store.logs, logger: createLogger('silent'), ...WRITER_DEFAULTS, maxQueue: events + 1 });
    const event = (i: number) => ({
      type: 's' as const, user_id: `oauth2|bench-${i % 10}|generic|${i % 100}`, user_name: `user${i % 100}@example.com`, connection: `bench-${i % 10}`,
      connection_id: 'con_0123456789abcdef', client_id: 'Rz0123456789abcdefghijklmnopqrst', ip: '127.0.0.1', user_agent: 'bench-driver/1.0',
    });
    for (let i = 0; i < 2000; i++) writer.emit(event(i)); // warm-up (JIT, statements)
    await writer.flush();
    const t0 = process.cpuUsage();
    for (let i = 0; i < events; i++) writer.emit(event(i));
    const t1 = process.cpuUsage(t0);
    await writer.flush();
    const t2 = process.cpuUsage(t0);
    const us = (u: NodeJS.CpuUsage) => u.user + u.system;
    return { emitUs: us(t1) / events, storeUs: (us(t2) - us(t1)) / events, events };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
