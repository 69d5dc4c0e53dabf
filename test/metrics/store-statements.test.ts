import { createMetrics } from '../../src/metrics/index.ts';
import { openStore } from '../../src/store/open.ts';
import { sample } from '../support/metrics.ts';

/** The store counts what it sends to its database into brokerid_store_statements_total, by kind. */

test('sqlite: each executed read and write statement counts once; BEGIN/COMMIT do not', async () => {
  const metrics = createMetrics();
  const store = await openStore({ kind: 'sqlite', file: ':memory:', metrics });
  const count = async (kind: string) => sample(await metrics.render(), 'brokerid_store_statements_total', { kind });
  try {
    const reads = await count('read');
    const writes = await count('write');
    expect(await store.clients.get('nobody')).toBeNull();
    expect(await store.clients.get('nobody')).toBeNull();
    expect(await count('read')).toBe(reads + 2);
    expect(await count('write')).toBe(writes);
    await store.transactions.put({ id: 's1', connection_id: 'c', payload: {}, expiresAt: Date.now() + 10_000 });
    expect(await count('write')).toBe(writes + 1);
    // One transaction of two statements (the client's grants, then the client).
    await store.clients.delete('nobody');
    expect(await count('write')).toBe(writes + 3);
    expect(await count('read')).toBe(reads + 2);
  } finally {
    await store.close();
  }
});
