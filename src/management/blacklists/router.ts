import { Router } from 'express';
import { requireScope } from '../auth.ts';
import { listOptions, listResponse } from '../paging.ts';
import type { ManagementContext } from '../resource.ts';
import { parseBody, parseQuery } from '../validation.ts';
import { BlacklistAddSchema, BlacklistListQuerySchema } from './schema.ts';

/** /api/v2/blacklists/tokens: Auth0's revocation of one access token by its jti. */
export function blacklistsRouter({ services: { blacklists } }: ManagementContext): Router {
  const r = Router();
  r.post('/tokens', requireScope('blacklist:tokens'), async (req, res) => {
    await blacklists.add(parseBody(BlacklistAddSchema, req.body));
    res.status(201).end();
  });
  r.get('/tokens', requireScope('blacklist:tokens'), async (req, res) => {
    const q = parseQuery(BlacklistListQuerySchema, req.query);
    const result = await blacklists.list(q.aud, listOptions(q));
    res.json(listResponse('tokens', q, result, (e) => `${e.aud}\n${e.jti}`));
  });
  return r;
}
