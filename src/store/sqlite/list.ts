import type { ListOptions, ListResult } from '../types.ts';
import { doc, num } from './db.ts';
import type { Params, SqliteDb } from './db.ts';

/** A filtered query over one table: SQL conditions (ANDed) with their parameters. */
export interface TableQuery {
  table: string;
  idColumn: string;
  where: string[];
  params: Params;
  /** ORDER BY clause; default the id column, ascending. */
  orderBy?: string;
  /** The checkpoint condition for `afterId` when the order is not by id (logs sort by date). */
  after?: { condition: string; params: Params };
}

/**
 * One page of records ordered by id, plus the total when asked. The SQL text depends only
 * on which filters are present, so the statement cache holds one statement per shape.
 */
export function listPage<T>(db: SqliteDb, query: TableQuery, options: ListOptions): ListResult<T> {
  const { table, idColumn, where, params } = query;
  const pageWhere = [...where];
  const pageParams = [...params];
  if (query.after) {
    pageWhere.push(query.after.condition);
    pageParams.push(...query.after.params);
  } else if (options.afterId !== undefined) {
    pageWhere.push(`${idColumn} > ?`);
    pageParams.push(options.afterId);
  }
  const limit = Math.max(0, Math.floor(options.limit));
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const sql = `SELECT doc FROM ${table}${whereSql(pageWhere)} ORDER BY ${query.orderBy ?? idColumn} LIMIT ? OFFSET ?`;
  const items = db.stmt(sql).all(...pageParams, limit, offset).map((row) => doc<T>(row));
  if (!options.includeTotal) return { items };
  // The total counts every record matching the filter, whatever page or checkpoint is asked.
  const countRow = db.stmt(`SELECT count(*) AS n FROM ${table}${whereSql(where)}`).get(...params);
  return { items, total: countRow ? (num(countRow, 'n') ?? 0) : 0 };
}

function whereSql(conditions: string[]): string {
  return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
}
