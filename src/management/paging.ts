import { z } from 'zod';
import type { ListOptions, ListResult } from '../store/types.ts';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const count = (max: number) => z.coerce.number({ message: 'must be a number' }).int().min(0).max(max, { message: `must be at most ${max}` });

/** Auth0's list query: page paging (`page`, `per_page`, `include_totals`), checkpoint paging (`from`, `take`), field selection. */
export const ListQuerySchema = z.object({
  page: count(100_000).optional(),
  per_page: count(100).optional(),
  include_totals: flag.optional(),
  from: z.string().min(1).max(200).optional(),
  take: count(100).optional(),
  fields: z.string().max(2000).optional(),
  include_fields: flag.optional(),
});

export type ListQuery = z.infer<typeof ListQuerySchema>;

const DEFAULT_PER_PAGE = 50;

/** Store list options for a query. */
export function listOptions(q: ListQuery): ListOptions {
  if (q.from !== undefined || q.take !== undefined) {
    return { limit: q.take ?? DEFAULT_PER_PAGE, ...(q.from ? { afterId: q.from } : {}) };
  }
  const limit = q.per_page ?? DEFAULT_PER_PAGE;
  return { limit, offset: (q.page ?? 0) * limit, includeTotal: q.include_totals === true };
}

/** Applies `fields`/`include_fields` to one response object. */
export function selectFields<T extends object>(obj: T, q: ListQuery): Partial<T> {
  if (!q.fields) return obj;
  const names = new Set(q.fields.split(',').map((f) => f.trim()).filter(Boolean));
  const include = q.include_fields !== false;
  return Object.fromEntries(Object.entries(obj).filter(([k]) => names.has(k) === include)) as Partial<T>;
}

/** Shapes a list result as Auth0 does: bare array, `{start,limit,length,total,<key>}`, or `{<key>,next}`. */
export function listResponse<T extends object>(key: string, q: ListQuery, result: ListResult<T>, idOf: (item: T) => string): unknown {
  const items = result.items.map((item) => selectFields(item, q));
  const opts = listOptions(q);
  if (q.from !== undefined || q.take !== undefined) {
    const last = result.items.at(-1);
    return { [key]: items, ...(last && result.items.length === opts.limit ? { next: idOf(last) } : {}) };
  }
  if (q.include_totals) {
    return { start: opts.offset ?? 0, limit: opts.limit, length: items.length, total: result.total ?? items.length, [key]: items };
  }
  return items;
}
