import { Router } from 'express';
import { z } from 'zod';
import { LOG_TYPES, LOG_TYPE_CODES } from '../logs/types.ts';
import { parseQuery } from '../management/validation.ts';
import type { LogFilter } from '../store/types.ts';
import { needScope } from './connection-pages.ts';
import { sendConsolePage, type ConsoleContext } from './context.ts';

const PAGE = 50;
/** Page paging reaches this far, as GET /api/v2/logs does. */
const WINDOW = 1000;

/** The console's log filters: type, connection, user, and the page. Empty fields mean "any". */
export const LogFiltersSchema = z.object({
  type: z.union([z.enum(LOG_TYPE_CODES), z.literal('')]).optional(),
  connection: z.string().max(128).optional(),
  user_id: z.string().max(512).optional(),
  page: z.coerce.number().int().min(0).max(WINDOW / PAGE - 1).optional(),
});

/** GET logs: the tenant log events, newest first, filtered by type, connection and user. */
export function logPages(ctx: ConsoleContext): Router {
  const r = Router();
  r.get('/logs', async (req, res) => {
    needScope(res, 'read:logs');
    const q = parseQuery(LogFiltersSchema, req.query);
    const filter: LogFilter = {
      ...(q.type ? { types: [q.type] } : {}),
      ...(q.connection ? { connection: q.connection } : {}),
      ...(q.user_id ? { user_id: q.user_id } : {}),
    };
    const page = q.page ?? 0;
    const events = ctx.logs ? (await ctx.logs.repo.list(filter, { limit: PAGE, offset: page * PAGE, order: 'desc' })).items : [];
    await sendConsolePage(ctx, res, 200, 'logs', {
      title: 'Logs', events, q, page, more: events.length === PAGE && (page + 1) * PAGE < WINDOW, types: LOG_TYPES, logsOn: !!ctx.logs,
    });
  });
  return r;
}
