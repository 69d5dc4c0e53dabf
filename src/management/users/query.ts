import { z } from 'zod';
import { AppError } from '../../errors/app-error.ts';
import type { UserFilter } from '../../store/types.ts';
import { ListQuerySchema } from '../paging.ts';

/** Query of GET /users: paging, field selection, and the filters this server supports. */
export const UserListQuerySchema = ListQuerySchema.extend({
  email: z.string().min(1).max(512).optional(),
  connection: z.string().min(1).max(128).optional(),
  /** Auth0's search syntax, the subset `email:"…"` and `identities.connection:"…"` joined by AND. */
  q: z.string().max(2000).optional(),
  search_engine: z.enum(['v1', 'v2', 'v3']).optional(),
});

export type UserListQuery = z.infer<typeof UserListQuerySchema>;

const TERM = /^(email|identities\.connection|connection):(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))$/;
const FIELD: Record<string, keyof UserFilter> = { email: 'email', 'identities.connection': 'connection', connection: 'connection' };

const badQuery = (message: string) => new AppError(400, 'invalid_query_string', `Query validation error: ${message}`);

/** The store filter a query asks for; a search this server cannot run is refused, never ignored. */
export function userFilter(q: UserListQuery): UserFilter {
  const filter: UserFilter = {};
  const set = (key: keyof UserFilter, value: string, source: string): void => {
    if (filter[key] !== undefined && filter[key] !== value) throw badQuery(`${source}: conflicts with another ${key} filter`);
    filter[key] = value;
  };
  if (q.email !== undefined) set('email', q.email, 'email');
  if (q.connection !== undefined) set('connection', q.connection, 'connection');
  const search = q.q?.trim();
  if (search) {
    for (const term of search.split(/\s+AND\s+/)) {
      const m = TERM.exec(term.trim());
      const field = m?.[1] ? FIELD[m[1]] : undefined;
      if (!m || !field) {
        throw badQuery(`q: unsupported search ${JSON.stringify(term.slice(0, 100))}; this server supports email:"…" and identities.connection:"…" joined by AND`);
      }
      set(field, m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''), 'q');
    }
  }
  return filter;
}
