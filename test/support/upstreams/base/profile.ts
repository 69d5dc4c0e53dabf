/** Resource-endpoint helper: which live token (and user) a request carries. */
import { bearer } from './grants.ts';
import type { Ctx } from './http.ts';
import type { Profile, TokenGrant } from './types.ts';
import type { Core } from './upstream.ts';

export type Caller = { token: TokenGrant; user: Profile } | 'missing' | 'invalid';

/** Reads `Authorization: <scheme> <token>` (or `alt`, e.g. a body param) and resolves a live token of this tenant. */
export function caller(core: Core, ctx: Ctx, schemes: string[] = ['bearer'], alt?: string): Caller {
  const presented = bearer(ctx.req, schemes) ?? alt;
  if (presented === undefined) return 'missing';
  const token = core.grants.findAccess(presented);
  if (!token || token.tenant !== ctx.tenant) return 'invalid';
  return { token, user: core.user(token.userId) };
}
