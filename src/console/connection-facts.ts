import type { ConsoleContext } from './context.ts';

/** A connection's most recent login outcome from the tenant logs (`s`/`f` events). */
export interface LastLogin { ok: boolean; date: string; description: string }

/** The newest login event at this connection, or undefined when there is none (or no tenant logs). */
export async function lastLogin(ctx: ConsoleContext, connection: string): Promise<LastLogin | undefined> {
  if (!ctx.logs) return undefined;
  const { items } = await ctx.logs.repo.list({ connection, types: ['s', 'f'] }, { limit: 1, order: 'desc' });
  const event = items[0];
  return event ? { ok: event.type === 's', date: event.date, description: event.description ?? event.type } : undefined;
}

/** Counting stops here: the confirmation then says "at least". */
const COUNT_LIMIT = 10_000;
const PAGE = 100;

/** How many users only this connection knows (deleting it deletes them, as on Auth0); `more` when the count stopped at the limit. */
export async function soleUsersOf(ctx: ConsoleContext, connection: string): Promise<{ count: number; more: boolean }> {
  let count = 0;
  let seen = 0;
  let afterId: string | undefined;
  for (;;) {
    const { items } = await ctx.services.users.list({ connection }, { limit: PAGE, ...(afterId ? { afterId } : {}) });
    count += items.filter((u) => u.identities.every((i) => i.connection === connection)).length;
    seen += items.length;
    const last = items.at(-1);
    if (!last || items.length < PAGE) return { count, more: false };
    if (seen >= COUNT_LIMIT) return { count, more: true };
    afterId = last.user_id;
  }
}
