import { Writable } from 'node:stream';
import { createLogger } from '../../src/lib/logger.ts';
import { createTenantLogs } from '../../src/logs/index.ts';
import { createLogWriter } from '../../src/logs/writer.ts';
import { openStore } from '../../src/store/open.ts';
import type { LogEvent } from '../../src/logs/types.ts';
import type { LogRepo, Store } from '../../src/store/types.ts';

let store: Store;
beforeEach(async () => {
  store = await openStore({ kind: 'sqlite', file: ':memory:' });
});
afterEach(async () => {
  await store.close();
});

/** A logger whose JSON lines are collected. */
function captured() {
  const lines: Record<string, unknown>[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', out), lines };
}

/** The real repo, with every insertMany held until `release()` and each batch's size recorded. */
function gated(repo: LogRepo) {
  const batches: number[] = [];
  let open!: () => void;
  let gate = new Promise<void>((resolve) => { open = resolve; });
  const wrapped: LogRepo = {
    ...repo,
    async insertMany(events) {
      batches.push(events.length);
      await gate;
      return repo.insertMany(events);
    },
  };
  return { repo: wrapped, batches, release: () => open(), hold: () => { gate = new Promise((resolve) => { open = resolve; }); } };
}

/** After a failure, the next event still reaches the store (and only it: the failed one is gone). */
async function expectStillWorking(writer: ReturnType<typeof createLogWriter>): Promise<void> {
  writer.emit({ type: 'f', user_id: 'after' });
  await writer.close();
  expect((await all()).map((e) => e.user_id)).toEqual(['after']);
}

const all = async (): Promise<LogEvent[]> => (await store.logs.list({}, { order: 'asc', limit: 100_000 })).items;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits (up to 3 s: the machine may be busy) until `done()` holds. */
async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 150 && !(await done()); i++) await sleep(20);
}

test('emit returns before anything is stored; events arrive in one batch after flushMs, with id, date and the catalogue description', async () => {
  const { logger } = captured();
  const g = gated(store.logs);
  const writer = createLogWriter({ repo: g.repo, logger, flushMs: 30, batchSize: 200, maxQueue: 1000 });
  writer.emit({ type: 'sapi', client_id: 'c1' });
  writer.emit({ type: 'du', user_id: 'u1', description: 'Deleted user u1' });
  expect(g.batches).toEqual([]);
  expect(await all()).toEqual([]);
  await until(() => g.batches.length > 0);
  expect(g.batches).toEqual([2]);
  g.release();
  await writer.flush();
  const stored = await all();
  expect(stored.map((e) => [e.type, e.description])).toEqual([['sapi', 'Success API Operation'], ['du', 'Deleted user u1']]);
  for (const e of stored) {
    expect(e.log_id).toMatch(/^90\d{20}[A-Za-z0-9]{12}$/);
    expect(new Date(e.date).toISOString()).toBe(e.date);
  }
  expect(new Set(stored.map((e) => e.log_id)).size).toBe(2);
  await writer.close();
});

test('a full batch is written at once, without waiting for the timer; batches never exceed batchSize', async () => {
  const { logger } = captured();
  const g = gated(store.logs);
  g.release();
  const writer = createLogWriter({ repo: g.repo, logger, flushMs: 60_000, batchSize: 5, maxQueue: 1000 });
  for (let i = 0; i < 12; i++) writer.emit({ type: 's', user_id: `u${i}` });
  // 12 events with batch size 5: two full batches flushed promptly (well within the 60 s timer),
  // the remainder waits for that timer.
  await until(() => g.batches.length >= 2);
  await sleep(20);
  expect(g.batches).toEqual([5, 5]);
  expect(await all()).toHaveLength(10);
  await writer.close();
  expect(g.batches).toEqual([5, 5, 2]);
  expect((await all()).map((e) => e.user_id)).toEqual(Array.from({ length: 12 }, (_, i) => `u${i}`));
});

test('a slow store: the queue stays bounded, the oldest events are dropped and counted in a pino warning', async () => {
  const { logger, lines } = captured();
  const g = gated(store.logs);
  const writer = createLogWriter({ repo: g.repo, logger, flushMs: 1, batchSize: 10, maxQueue: 50 });
  for (let i = 0; i < 10; i++) writer.emit({ type: 's', user_id: `first${i}` });
  await until(() => g.batches.length > 0); // the first batch of 10 is now stuck in the store
  expect(g.batches).toEqual([10]);
  for (let i = 0; i < 200; i++) writer.emit({ type: 's', user_id: `u${i}` });
  expect(writer.dropped).toBe(150);
  const warning = lines.find((l) => String(l['msg']).includes('not keeping up'));
  expect(warning).toMatchObject({ level: 40, droppedTotal: expect.any(Number), queued: 50 });
  g.release();
  await writer.close();
  const users = (await all()).map((e) => e.user_id);
  // The stuck batch, then the newest 50: what was dropped is the oldest of the queue.
  expect(users).toEqual([...Array.from({ length: 10 }, (_, i) => `first${i}`), ...Array.from({ length: 50 }, (_, i) => `u${i + 150}`)]);
});

test('a failing store never throws into the caller: the batch is logged as lost and later batches still go through', async () => {
  const { logger, lines } = captured();
  let fail = true;
  const repo: LogRepo = {
    ...store.logs,
    insertMany: (events) => (fail ? Promise.reject(new Error('disk full')) : store.logs.insertMany(events)),
  };
  const writer = createLogWriter({ repo, logger, flushMs: 1, batchSize: 100, maxQueue: 1000 });
  expect(() => writer.emit({ type: 's' })).not.toThrow();
  await writer.flush();
  expect(writer.dropped).toBe(1);
  expect(lines.some((l) => l['level'] === 50 && String(l['msg']).includes('refused a batch'))).toBe(true);
  fail = false;
  await expectStillWorking(writer);
});

test('an event that cannot be serialized is dropped and counted, the caller goes on', async () => {
  const { logger } = captured();
  const writer = createLogWriter({ repo: store.logs, logger, flushMs: 1, batchSize: 100, maxQueue: 1000 });
  const hostile = { get boom(): never { throw new Error('getter threw'); } };
  expect(() => writer.emit({ type: 's', details: { hostile } })).not.toThrow();
  expect(writer.dropped).toBe(1);
  await expectStillWorking(writer);
});

test('close flushes everything still queued and refuses later events', async () => {
  const { logger } = captured();
  const writer = createLogWriter({ repo: store.logs, logger, flushMs: 60_000, batchSize: 7, maxQueue: 10_000 });
  for (let i = 0; i < 30; i++) writer.emit({ type: 'sapi', user_id: `u${i}` });
  await writer.close();
  expect(await all()).toHaveLength(30);
  writer.emit({ type: 'sapi', user_id: 'late' });
  await writer.flush();
  expect(await all()).toHaveLength(30);
  expect(writer.dropped).toBe(1);
});

test('retention: the purge removes events older than LOGS_RETENTION_DAYS and keeps the rest', async () => {
  const { logger, lines } = captured();
  const day = 86_400_000;
  const writer = createLogWriter({ repo: store.logs, logger, flushMs: 1, batchSize: 100, maxQueue: 100 });
  writer.emit({ type: 's', user_id: 'old', date: new Date(Date.now() - 31 * day).toISOString() });
  writer.emit({ type: 's', user_id: 'recent', date: new Date(Date.now() - 29 * day).toISOString() });
  await writer.close();
  const logs = createTenantLogs({ repo: store.logs, logger, retentionDays: 30, firstPurgeMs: 1 });
  await until(async () => (await all()).length === 1);
  await logs.close();
  expect((await all()).map((e) => e.user_id)).toEqual(['recent']);
  expect(lines.find((l) => String(l['msg']).includes('purged'))).toMatchObject({ removed: 1, retentionDays: 30 });
});
