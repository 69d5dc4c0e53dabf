import { randomBytes } from 'node:crypto';
import { createMetrics } from '../../src/metrics/index.ts';
import { createSecretBox } from '../../src/lib/secrets.ts';
import { createAdapterFactory } from '../../src/oidc/adapter.ts';
import { writeBatch } from '../../src/oidc/write-batch.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { sample } from '../support/metrics.ts';

/** The oidc-provider writes of one request go to the store together, once the request is handled. */

let store: Store;
const metrics = createMetrics();
const writes = async (): Promise<number> => sample(await metrics.render(), 'brokerid_store_statements_total', { kind: 'write' });
const box = createSecretBox(randomBytes(32));
let adapter: ReturnType<typeof createAdapterFactory>;
let batch: ReturnType<typeof writeBatch>;

beforeEach(async () => {
  store = await openStore({ kind: 'sqlite', file: ':memory:', metrics });
  batch = writeBatch(store);
  adapter = createAdapterFactory(store, box, randomBytes(32), batch);
});
afterEach(() => store.close());

test('a request saving a session, a grant and a code and destroying its interaction makes one write, before it ends', async () => {
  const interaction = adapter('Interaction');
  await interaction.upsert('int-1', { returnTo: '/authorize/int-1' }, 60);
  const before = await writes();
  await batch.middleware({}, async () => {
    await adapter('Session').upsert('sess-1', { accountId: 'u1', uid: 'uid-1' }, 60);
    await adapter('Grant').upsert('grant-1', { accountId: 'u1' }, 60);
    await adapter('AuthorizationCode').upsert('code-1', { grantId: 'grant-1' }, 60);
    await interaction.destroy('int-1');
    // Nothing has gone out yet...
    expect(await writes()).toBe(before);
  });
  // ...and all of it at once when the request is done.
  expect(await writes()).toBe(before + 1);
  expect(await adapter('Session').find('sess-1')).toMatchObject({ accountId: 'u1', jti: 'sess-1' });
  expect(await adapter('Session').findByUid('uid-1')).toMatchObject({ accountId: 'u1' });
  expect(await adapter('AuthorizationCode').find('code-1')).toMatchObject({ grantId: 'grant-1' });
  expect(await interaction.find('int-1')).toBeUndefined();
});

test('reads inside the request see its pending writes; a consume sees the code it saved', async () => {
  await batch.middleware({}, async () => {
    const code = adapter('AuthorizationCode');
    await code.upsert('code-2', { grantId: 'g' }, 60);
    expect(await code.find('code-2')).toMatchObject({ grantId: 'g' });
    await adapter('Session').upsert('sess-2', { uid: 'uid-2' }, 60);
    expect(await adapter('Session').findByUid('uid-2')).toMatchObject({ uid: 'uid-2' });
    await adapter('Interaction').upsert('int-2', { a: 1 }, 60);
    await adapter('Interaction').destroy('int-2');
    expect(await adapter('Interaction').find('int-2')).toBeUndefined();
    await adapter('AccessToken').upsert('at-2', { grantId: 'g' }, 60);
    await code.consume('code-2');
    await expect(code.consume('code-2')).rejects.toMatchObject({ error: 'invalid_grant', error_detail: 'authorization code already consumed' });
  });
  expect(await adapter('AccessToken').find('at-2')).toMatchObject({ grantId: 'g' });
});

test('a request whose handling throws writes nothing', async () => {
  const before = await writes();
  await expect(batch.middleware({}, async () => {
    await adapter('Session').upsert('sess-3', { accountId: 'u' }, 60);
    throw new Error('handler failed');
  })).rejects.toThrow('handler failed');
  expect(await writes()).toBe(before);
  expect(await adapter('Session').find('sess-3')).toBeUndefined();
});

test('outside a request (the interaction helpers called from express) a write is made at once', async () => {
  const before = await writes();
  await adapter('Interaction').upsert('int-4', { a: 1 }, 60);
  expect(await writes()).toBe(before + 1);
  expect(await adapter('Interaction').find('int-4')).toMatchObject({ a: 1 });
});
