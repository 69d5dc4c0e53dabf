import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openStore } from '../../src/store/open.ts';

/**
 * The log list must stay an index range scan at a million events: every filter the API
 * offers is answered by an index that also yields the date order (no full scan, no sort).
 */
const dir = mkdtempSync(join(tmpdir(), 'brokerid-logs-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('each filter and both orders use an index and need no sort step', async () => {
  const file = join(dir, 'store.db');
  await (await openStore({ kind: 'sqlite', file })).close();
  const db = new DatabaseSync(file);
  const plan = (sql: string): string => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all().map((r) => String(r['detail'])).join(' | ');
  const shapes: [string, string][] = [
    ['', 'logs_date'],
    ['WHERE type IN (?)', 'logs_type'],
    ['WHERE user_id = ?', 'logs_user'],
    ['WHERE client_id = ?', 'logs_client'],
    ['WHERE connection = ?', 'logs_connection'],
    ['WHERE user_id = ? AND date >= ? AND date < ?', 'logs_user'],
    ['WHERE date >= ? AND date < ?', 'logs_date'],
  ];
  for (const [where, index] of shapes) {
    for (const dir of ['ASC', 'DESC']) {
      const detail = plan(`SELECT doc FROM logs ${where} ORDER BY date ${dir}, log_id ${dir} LIMIT 50 OFFSET 0`);
      expect(detail).toContain(index);
      expect(detail).not.toMatch(/TEMP B-TREE|SCAN logs$/);
    }
  }
  expect(plan('DELETE FROM logs WHERE date < ?')).toContain('logs_date');
  db.close();
});
