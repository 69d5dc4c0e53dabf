import type { LogEvent } from '../../lib/log-events.ts';
import type { LogRepo } from '../types.ts';
import { changed, doc, guardUnique, text } from './db.ts';
import type { Params, SqliteDb } from './db.ts';
import { listPage } from './list.ts';

const PURGE_CHUNK = 500;
/** Rows per INSERT (7 parameters each, far below SQLite's limit of 32766). */
const INSERT_CHUNK = 100;

/** Tenant logs on sqlite: the filtered fields lifted into indexed columns, the event as JSON. */
export function sqliteLogs(db: SqliteDb): LogRepo {
  return {
    async insertMany(events) {
      if (events.length === 0) return;
      // One multi-row INSERT per chunk: a batch of the log writer is one statement (and one
      // WAL commit) in the usual case; several chunks share one transaction.
      const chunks: LogEvent[][] = [];
      for (let i = 0; i < events.length; i += INSERT_CHUNK) chunks.push(events.slice(i, i + INSERT_CHUNK));
      guardUnique(() => db.tx(() => {
        for (const chunk of chunks) {
          db.stmt(`INSERT INTO logs (log_id, date, type, user_id, client_id, connection, doc) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`)
            .run(...chunk.flatMap((e) => [e.log_id, e.date, e.type, e.user_id ?? null, e.client_id ?? null, e.connection ?? null, JSON.stringify(e)]));
        }
      }, chunks.length > 1));
    },
    async get(logId) {
      const row = db.stmt('SELECT doc FROM logs WHERE log_id = ?').get(logId);
      return row ? doc<LogEvent>(row) : null;
    },
    async list(filter, options) {
      const where: string[] = [];
      const params: Params = [];
      const add = (condition: string, value: string | undefined): void => {
        if (value === undefined) return;
        where.push(condition);
        params.push(value);
      };
      if (filter.types !== undefined) {
        // An empty list matches nothing (not everything).
        where.push(filter.types.length ? `type IN (${filter.types.map(() => '?').join(', ')})` : '0');
        params.push(...filter.types);
      }
      add('user_id = ?', filter.user_id);
      add('client_id = ?', filter.client_id);
      add('connection = ?', filter.connection);
      add('date >= ?', filter.dateFrom);
      add('date < ?', filter.dateTo);
      const dir = options.order === 'asc' ? 'ASC' : 'DESC';
      let after: { condition: string; params: Params } | undefined;
      if (options.afterId !== undefined) {
        const row = db.stmt('SELECT date FROM logs WHERE log_id = ?').get(options.afterId);
        // An unknown checkpoint matches nothing rather than restarting from the top.
        after = row
          ? { condition: `(date, log_id) ${dir === 'ASC' ? '>' : '<'} (?, ?)`, params: [text(row, 'date'), options.afterId] }
          : { condition: '0', params: [] };
      }
      return listPage<LogEvent>(db, {
        table: 'logs', idColumn: 'log_id', where, params, orderBy: `date ${dir}, log_id ${dir}`, ...(after ? { after } : {}),
      }, options);
    },
    async purgeBefore(date) {
      // In chunks, yielding between them: one huge DELETE would hold the write lock (and this
      // process's event loop) while every other process waits to write a login.
      const chunk = db.stmt('DELETE FROM logs WHERE log_id IN (SELECT log_id FROM logs WHERE date < ? ORDER BY date LIMIT ?)');
      let total = 0;
      for (;;) {
        const n = changed(chunk.run(date, PURGE_CHUNK));
        total += n;
        if (n < PURGE_CHUNK) return total;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}
