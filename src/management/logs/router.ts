import type { Request, Response } from 'express';
import { AppError, notFound } from '../../errors/app-error.ts';
import { LogEventSchema, type LogEvent } from '../../logs/types.ts';
import type { LogFilter, LogRepo } from '../../store/types.ts';
import { listOf } from '../openapi/responses.ts';
import { route, type ManagementRoute } from '../openapi/route.ts';
import { ListQuerySchema, listOptions, listResponse, selectFields } from '../paging.ts';
import { param } from '../validation.ts';
import { LogListQuerySchema, parseLogSearch, searchOf, type LogListQuery } from './query.ts';

/** Page paging reaches this many events at most (as on Auth0); checkpoint paging has no limit. */
const PAGE_WINDOW = 1000;
/** The log store and the issuer (checkpoint links are absolute URLs under it). */
export interface LogsRouterDeps { repo: LogRepo; issuer: string }

const FieldsSchema = ListQuerySchema.pick({ fields: true, include_fields: true });

/**
 * One list answer. Checkpoint paging (`from`/`take`) is Auth0's: the events after `from`,
 * oldest first, as a bare array with a `Link: <…>; rel="next"` header (the same URL when
 * nothing new has come). Page paging sorts by `sort` (newest first by default).
 */
async function sendList(req: Request, res: Response, deps: LogsRouterDeps, q: LogListQuery, filter: LogFilter): Promise<void> {
  const checkpoint = q.from !== undefined || q.take !== undefined;
  const options = listOptions(q);
  if (!checkpoint && (options.offset ?? 0) + options.limit > PAGE_WINDOW) {
    throw new AppError(400, 'invalid_paging',
      `Query validation error: page paging reaches the first ${PAGE_WINDOW} events only ((page + 1) * per_page <= ${PAGE_WINDOW}); use from=<log_id>&take=<n> to read further`);
  }
  const order = checkpoint ? 'asc' : q.sort === 'date:1' ? 'asc' : 'desc';
  const result = await deps.repo.list(filter, { ...options, order });
  if (!checkpoint) {
    res.json(listResponse('logs', q, result, (e) => e.log_id));
    return;
  }
  // Built on the issuer, never on the request's Host header (which the caller controls).
  const next = new URL(`api/v2${req.path}${new URL(req.originalUrl, 'http://x').search}`, deps.issuer);
  const last = result.items.at(-1);
  if (last) next.searchParams.set('from', last.log_id);
  next.searchParams.set('take', String(options.limit));
  res.setHeader('link', `<${next.toString()}>; rel="next"`);
  res.json(result.items.map((e) => selectFields(e, q)));
}

const UserLogsQuerySchema = LogListQuerySchema.omit({ q: true, search: true, from: true, take: true, search_engine: true }).strict();

/** GET /logs, GET /logs/:id and GET /users/:id/logs (tenant log events, read:logs). */
export function logRoutes(deps: LogsRouterDeps): ManagementRoute[] {
  return [
    route({
      method: 'get', path: '/logs', summary: 'Search tenant log events (checkpoint paging answers a bare array and a Link header)',
      scopes: ['read:logs'], query: LogListQuerySchema, responses: { 200: { description: 'Log events', schema: listOf('logs', LogEventSchema) } },
      handler: async ({ req, res, query: q }) => {
        await sendList(req, res, deps, q, parseLogSearch(searchOf(q)));
      },
    }),
    route({
      method: 'get', path: '/logs/:id', summary: 'Get one log event', scopes: ['read:logs'], query: FieldsSchema,
      responses: { 200: { description: 'The log event', schema: LogEventSchema } },
      handler: async ({ req, res, query: q }) => {
        const event = await deps.repo.get(param(req, 'id'));
        if (!event) throw notFound(`Log event not found: no event has log_id ${JSON.stringify(param(req, 'id'))}`, 'inexistent_log');
        res.json(selectFields<LogEvent>(event, q));
      },
    }),
    // Auth0 asks for read:logs and read:users here.
    route({
      method: 'get', path: '/users/:id/logs', summary: 'A user\'s log events', scopes: ['read:logs', 'read:users'], query: UserLogsQuerySchema,
      responses: { 200: { description: 'Log events', schema: listOf('logs', LogEventSchema) } },
      handler: async ({ req, res, query: q }) => {
        await sendList(req, res, deps, q, { user_id: param(req, 'id') });
      },
    }),
  ];
}
