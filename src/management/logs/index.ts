import type { RequestHandler } from 'express';
import type { TenantLogs } from '../../logs/index.ts';
import type { ManagementRoute } from '../openapi/route.ts';
import { managementAudit } from './audit.ts';
import { logRoutes } from './router.ts';

/** Everything tenant logs add to the Management API: the write audit (sapi/fapi) and the log routes. */
export function managementLogs(logs: TenantLogs, issuer: string): { audit: RequestHandler; routes: ManagementRoute[] } {
  return { audit: managementAudit(logs.sink), routes: logRoutes({ repo: logs.repo, issuer }) };
}
