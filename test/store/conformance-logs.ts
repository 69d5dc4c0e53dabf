import { randomUUID } from 'node:crypto';
import type { LogEvent } from '../../src/logs/types.ts';
import { StoreConflictError } from '../../src/store/types.ts';
import type { Store } from '../../src/store/types.ts';

/** The tenant-log cases of the conformance suite (called from conformance.ts, fresh store per test). */
export function describeLogConformance(withFreshStore: (fn: (s: Store) => Promise<void>) => Promise<void>): void {
  describe('tenant logs', () => {
    test('insertMany then get returns each event as stored; unknown ids are null; an empty batch is a no-op', async () => {
      await withFreshStore(async (s) => {
        const full = event({
          type: 'sapi', description: 'Update a connection', client_id: 'cli1', client_name: 'Admin', connection: 'acme',
          connection_id: 'con_1', user_id: 'oauth2|acme|1', user_name: 'ada@example.com', ip: '127.0.0.1', user_agent: 'jest',
          details: { request: { method: 'PATCH', fields: ['options.scope'] }, odd: { $where: 'x', 'a.b': 1 } },
        });
        const bare = event({ type: 'du' });
        await s.logs.insertMany([]);
        await s.logs.insertMany([full, bare]);
        expect(await s.logs.get(full.log_id)).toEqual(full);
        expect(await s.logs.get(bare.log_id)).toEqual(bare);
        expect(await s.logs.get('nope')).toBeNull();
      });
    });

    test('a taken log_id rejects with StoreConflictError and leaves the stored event unchanged', async () => {
      await withFreshStore(async (s) => {
        const first = event({ description: 'first' });
        await s.logs.insertMany([first]);
        const err = await s.logs.insertMany([{ ...first, description: 'intruder' }]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreConflictError);
        expect(err).toMatchObject({ key: 'log_id' });
        expect(await s.logs.get(first.log_id)).toEqual(first);
      });
    });

    test('lists by date in both orders (ties by log_id), with page paging and totals', async () => {
      await withFreshStore(async (s) => {
        const events = [at(3, 'b'), at(1, 'a'), at(3, 'a'), at(2, 'a'), at(5, 'a')];
        await s.logs.insertMany(events);
        const asc = ['1a', '2a', '3a', '3b', '5a'];
        expect(ids(await s.logs.list({}, { order: 'asc', limit: 10 }))).toEqual(asc);
        expect(ids(await s.logs.list({}, { order: 'desc', limit: 10 }))).toEqual([...asc].reverse());
        const page = await s.logs.list({}, { order: 'asc', limit: 2, offset: 2, includeTotal: true });
        expect(ids(page)).toEqual(['3a', '3b']);
        expect(page.total).toBe(5);
        expect((await s.logs.list({}, { order: 'asc', limit: 0, includeTotal: true }))).toEqual({ items: [], total: 5 });
        expect((await s.logs.list({}, { order: 'asc', limit: 2 })).total).toBeUndefined();
      });
    });

    test('filters: types, user_id, client_id, connection, dates (from inclusive, to exclusive), joined by AND', async () => {
      await withFreshStore(async (s) => {
        await s.logs.insertMany([
          at(1, 'a', { type: 's', user_id: 'u1', client_id: 'c1', connection: 'acme' }),
          at(2, 'a', { type: 'f', user_id: 'u1', client_id: 'c2', connection: 'acme' }),
          at(3, 'a', { type: 's', user_id: 'u2', client_id: 'c1', connection: 'other' }),
          at(4, 'a', { type: 'sapi', client_id: 'c1' }),
          at(5, 'a', { type: 'du', user_id: 'u1' }),
        ]);
        const list = async (filter: Parameters<Store['logs']['list']>[0]) => {
          const r = await s.logs.list(filter, { order: 'asc', limit: 10, includeTotal: true });
          expect(r.total).toBe(r.items.length);
          return ids(r);
        };
        expect(await list({ types: ['s'] })).toEqual(['1a', '3a']);
        expect(await list({ types: ['f', 'du'] })).toEqual(['2a', '5a']);
        expect(await list({ types: [] })).toEqual([]);
        expect(await list({ user_id: 'u1' })).toEqual(['1a', '2a', '5a']);
        expect(await list({ client_id: 'c1' })).toEqual(['1a', '3a', '4a']);
        expect(await list({ connection: 'acme' })).toEqual(['1a', '2a']);
        expect(await list({ dateFrom: minute(2), dateTo: minute(4) })).toEqual(['2a', '3a']);
        expect(await list({ types: ['s'], client_id: 'c1', user_id: 'u2' })).toEqual(['3a']);
        expect(await list({ user_id: 'nobody' })).toEqual([]);
      });
    });

    test('checkpoint paging: strictly after a log_id in the requested order; an unknown checkpoint is an empty page', async () => {
      await withFreshStore(async (s) => {
        const events = [at(1, 'a'), at(2, 'a'), at(2, 'b', { type: 'f' }), at(3, 'a'), at(4, 'a', { type: 'f' })];
        await s.logs.insertMany(events);
        const idOf = (key: string) => events.find((e) => e.log_id.startsWith(key))?.log_id ?? '';
        expect(ids(await s.logs.list({}, { order: 'asc', limit: 2, afterId: idOf('2a') }))).toEqual(['2b', '3a']);
        expect(ids(await s.logs.list({}, { order: 'desc', limit: 10, afterId: idOf('2b') }))).toEqual(['2a', '1a']);
        expect(ids(await s.logs.list({ types: ['f'] }, { order: 'asc', limit: 10, afterId: idOf('2b') }))).toEqual(['4a']);
        expect(ids(await s.logs.list({}, { order: 'asc', limit: 10, afterId: idOf('4a') }))).toEqual([]);
        expect(ids(await s.logs.list({}, { order: 'asc', limit: 10, afterId: 'unknown' }))).toEqual([]);
      });
    });

    test('purgeBefore deletes exactly the events dated before the time (more than one chunk) and counts them', async () => {
      await withFreshStore(async (s) => {
        const old = Array.from({ length: 2500 }, (_, i) => at(1, `o${String(i).padStart(4, '0')}`));
        const kept = [at(2, 'k'), at(3, 'k')];
        await s.logs.insertMany([...old, ...kept]);
        expect(await s.logs.purgeBefore(minute(2))).toBe(2500);
        expect(ids(await s.logs.list({}, { order: 'asc', limit: 10, includeTotal: true }))).toEqual(['2k', '3k']);
        expect(await s.logs.get(old[0]?.log_id ?? '')).toBeNull();
        expect(await s.logs.purgeBefore(minute(2))).toBe(0);
      });
    });
  });
}

/** ISO time of minute `m` of one day. */
const minute = (m: number): string => new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString();

function event(over: Partial<LogEvent> = {}): LogEvent {
  return { log_id: `90${randomUUID().replaceAll('-', '')}`, date: minute(0), type: 's', ...over };
}

/** An event at minute `m` whose log_id starts with `${m}${tag}` (so ties sort by tag). */
function at(m: number, tag: string, over: Partial<LogEvent> = {}): LogEvent {
  return event({ log_id: `${m}${tag}-${randomUUID().slice(0, 8)}`, date: minute(m), ...over });
}

/** The `${minute}${tag}` keys of a page, in order. */
function ids(result: { items: LogEvent[] }): string[] {
  return result.items.map((e) => e.log_id.split('-')[0] ?? '');
}
