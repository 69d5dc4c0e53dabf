import { createMetrics } from '../../src/metrics/index.ts';
import { serverView } from '../../bench/lib/scrape.ts';

/** The bench's reading of the server's /metrics over a window: real prom-client text before and after. */

test('histograms over the window only, quantiles from the buckets, statements "not exposed" when absent', async () => {
  const metrics = createMetrics();
  metrics.step('exchangeCode', 3); // before the window: must not count
  const before = await metrics.render();
  for (let i = 0; i < 90; i++) metrics.step('exchangeCode', 0.004); // bucket <= 0.005
  for (let i = 0; i < 10; i++) metrics.step('exchangeCode', 0.2); // bucket (0.1, 0.25]
  metrics.callback('success', 0.03);
  metrics.storeError('users.get', 'error');
  const view = serverView(before, await metrics.render(), 100);

  const exchange = view.histograms['brokerid_login_step_duration_seconds{step="exchangeCode"}'];
  expect(exchange?.count).toBe(100);
  expect(exchange?.p50Ms).toBeCloseTo(2.78, 1); // rank 50 of 90 in [0, 5 ms]
  expect(exchange?.p95Ms).toBeCloseTo(175, 0); // rank 95: half-way through (100, 250 ms]
  expect(exchange?.meanMs).toBeCloseTo((90 * 4 + 10 * 200) / 100, 1);
  expect(view.histograms['brokerid_login_callback_duration_seconds{outcome="success"}']?.count).toBe(1);
  // The registry exposes the statements counter; nothing ran a statement in the window.
  expect(view.statementsPerOp).toEqual({ read: 0, write: 0 });
  // A server that does not expose it (an older one): "not exposed", not zero.
  const without = (text: string) => text.split('\n').filter((l) => !l.includes('brokerid_store_statements_total')).join('\n');
  expect(serverView(without(before), without(await metrics.render()), 100).statementsPerOp).toBeNull();
  expect(view.storeErrors).toBe(1);
  // Exposed but never incremented (no sample yet, only its TYPE line): 0, not "not exposed".
  expect(serverView(before, before, 100).storeErrors).toBe(0);
});

test('store statements per operation from brokerid_store_statements_total{kind}, when exposed', () => {
  const text = (read: number, write: number) => '# TYPE brokerid_store_statements_total counter\n'
    + `brokerid_store_statements_total{kind="read"} ${read}\nbrokerid_store_statements_total{kind="write"} ${write}\n`;
  expect(serverView(text(100, 40), text(700, 240), 100).statementsPerOp).toEqual({ read: 6, write: 2 });
});
