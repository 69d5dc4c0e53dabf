import { FifoCache } from '../../src/lib/fifo-cache.ts';

describe('FifoCache', () => {
  it('drops the oldest insertion once full, and keeps what was inserted later', () => {
    const cache = new FifoCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([undefined, 2, 3, 2]);
  });

  it('replacing a held key evicts nothing', () => {
    const cache = new FifoCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 10);
    expect([cache.get('a'), cache.get('b'), cache.size]).toEqual([10, 2, 2]);
  });
});
