import { randomUUID } from 'node:crypto';
import type { Store } from '../../src/store/types.ts';

/** The Store contract's window counters (`windowCounter`), for backends that share counts. */
export function describeWindowCounterConformance(store: () => Store): void {
  describe('window counters', () => {
    const counter = (durationSeconds = 60) => {
      const make = store().windowCounter;
      if (!make) throw new Error('this backend has no windowCounter: pass { windowCounters: false } with the reason');
      return make(`test:${randomUUID()}`, { points: 5, durationSeconds });
    };

    test('increment counts past the limit; peek reads without counting; the window ends at its duration', async () => {
      const c = counter();
      expect(await c.peek('k')).toBeNull();
      const states = [];
      for (let i = 0; i < 7; i++) states.push(await c.increment('k'));
      expect(states.map((s) => s.consumedPoints)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      for (const s of states) {
        expect(s.msBeforeNext).toBeGreaterThan(0);
        expect(s.msBeforeNext).toBeLessThanOrEqual(60_000);
      }
      expect((await c.peek('k'))?.consumedPoints).toBe(7);
      expect((await c.peek('k'))?.consumedPoints).toBe(7);
      expect(await c.peek('other')).toBeNull();
    });

    test('concurrent increments of one key each count once', async () => {
      const c = counter();
      const states = await Promise.all(Array.from({ length: 20 }, () => c.increment('hot')));
      expect(states.map((s) => s.consumedPoints).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    test('counters of different names never share a key', async () => {
      const a = counter();
      const b = counter();
      await a.increment('k');
      await a.increment('k');
      expect((await b.increment('k')).consumedPoints).toBe(1);
    });

    test('after the window a key counts from 0 again', async () => {
      const c = counter(1);
      await c.increment('k');
      await c.increment('k');
      await new Promise((r) => setTimeout(r, 1100));
      expect(await c.peek('k')).toBeNull();
      expect((await c.increment('k')).consumedPoints).toBe(1);
    });
  });
}
