import { z } from 'zod';
import { AppError } from '../../errors/app-error.ts';
import { LOG_TYPE_CODES } from '../../logs/types.ts';
import type { LogFilter } from '../../store/types.ts';
import { ListQuerySchema } from '../paging.ts';

/** Query of GET /logs and GET /users/:id/logs: Auth0's paging, `sort` and the `q` search. */
export const LogListQuerySchema = ListQuerySchema.extend({
  sort: z.enum(['date:1', 'date:-1'], { message: 'expected date:1 (oldest first) or date:-1 (newest first)' }).optional(),
  q: z.string().max(2000).optional(),
  /** What Auth0's Node SDK (v5) sends for `q`; the same syntax. */
  search: z.string().max(2000).optional(),
  search_engine: z.enum(['v1', 'v2', 'v3']).optional(),
});

export type LogListQuery = z.infer<typeof LogListQuerySchema>;

const SUPPORTED =
  'this server supports type:, user_id:, client_id:, connection: (quote values with spaces: connection:"my conn"; type:(s OR f) for several types) ' +
  'and date:[FROM TO TO] with YYYY-MM-DD or ISO times and * for an open end, joined by AND';

const badQuery = (message: string) => new AppError(400, 'invalid_query_string', `Query validation error: q: ${message}; ${SUPPORTED}`);

// One term at the start of the rest of the string: field, then a quoted value, a range, an OR list or a bare word.
const TERM = /^([a-z_]+):("(?:[^"\\]|\\.)*"|[[{][^\]}]*[\]}]|\([^)]*\)|[^\s"()[\]{}]+)(?:\s+AND\s+|\s*$)/;
const EQUAL_FIELDS = { user_id: 'user_id', client_id: 'client_id', connection: 'connection' } as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A date bound as an ISO time; date-only bounds mean midnight UTC. `after` moves it past the day or instant. */
function bound(text: string, after: boolean): string {
  const ms = Date.parse(DAY.test(text) ? `${text}T00:00:00.000Z` : text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || !Number.isFinite(ms)) throw badQuery(`${JSON.stringify(text)} is not a date`);
  return new Date(ms + (after ? (DAY.test(text) ? 86_400_000 : 1) : 0)).toISOString();
}

/** `[a TO b]` (inclusive), `{a TO b}` (exclusive), mixed, `*` open, or one day/instant; as [from, to). */
function dateRange(value: string): Pick<LogFilter, 'dateFrom' | 'dateTo'> {
  const range = /^([[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])$/.exec(value);
  if (!range) {
    if (/^[[{(]/.test(value)) throw badQuery(`date range ${JSON.stringify(value)} must look like [2026-01-01 TO 2026-12-31]`);
    const day = unquote(value);
    return { dateFrom: bound(day, false), dateTo: bound(day, true) };
  }
  const [, open = '[', from = '*', to = '*', close = ']'] = range;
  return {
    ...(from === '*' ? {} : { dateFrom: bound(from, open === '{') }),
    ...(to === '*' ? {} : { dateTo: bound(to, close === ']') }),
  };
}

function unquote(value: string): string {
  return value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
}

function types(value: string): string[] {
  const list = value.startsWith('(') ? value.slice(1, -1).split(/\s+OR\s+/).map((t) => unquote(t.trim())) : [unquote(value)];
  for (const t of list) {
    if (!(LOG_TYPE_CODES as readonly string[]).includes(t)) throw badQuery(`unknown log type ${JSON.stringify(t)} (known: ${LOG_TYPE_CODES.join(', ')})`);
  }
  return list;
}

/** The one search of a query: `q`, or `search` (the SDK's name); both at once must agree. */
export function searchOf(query: Pick<LogListQuery, 'q' | 'search'>): string | undefined {
  if (query.q !== undefined && query.search !== undefined && query.q !== query.search) {
    throw new AppError(400, 'invalid_query_string', 'Query validation error: q and search are two names for one search; send one of them');
  }
  return query.q ?? query.search;
}

/** The store filter a `q` asks for; a search this server cannot run is a 400 saying what it can, never ignored. */
export function parseLogSearch(q: string | undefined): LogFilter {
  const filter: LogFilter = {};
  let rest = q?.trim() ?? '';
  const once = (field: string, seen: boolean): void => {
    if (seen) throw badQuery(`${field}: appears twice; give each field once`);
  };
  while (rest) {
    const m = TERM.exec(rest);
    const field = m?.[1];
    const value = m?.[2];
    if (!m || !field || !value) throw badQuery(`cannot read ${JSON.stringify(rest.slice(0, 80))}`);
    if (field === 'type') {
      once('type', filter.types !== undefined);
      filter.types = types(value);
    } else if (field === 'date') {
      once('date', filter.dateFrom !== undefined || filter.dateTo !== undefined);
      Object.assign(filter, dateRange(value));
    } else if (field in EQUAL_FIELDS) {
      const key = EQUAL_FIELDS[field as keyof typeof EQUAL_FIELDS];
      once(field, filter[key] !== undefined);
      if (/^[[{(]/.test(value)) throw badQuery(`${field}: takes one value, not ${JSON.stringify(value)}`);
      filter[key] = unquote(value);
    } else {
      throw badQuery(`unsupported field ${JSON.stringify(field)}`);
    }
    rest = rest.slice(m[0].length);
  }
  return filter;
}
