import { Router } from 'express';
import type { TenantLogs } from '../../logs/index.ts';
import { managementAudit } from './audit.ts';
import { logsRouter } from './router.ts';

/** Everything tenant logs add to the Management API: the write audit (sapi/fapi) and the log routes. */
export function managementLogs(logs: TenantLogs, issuer: string): Router {
  const r = Router();
  r.use(managementAudit(logs.sink));
  r.use(logsRouter({ repo: logs.repo, issuer }));
  return r;
}
