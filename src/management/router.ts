import express, { Router } from 'express';
import { AppError } from '../errors/app-error.ts';
import { jsonErrorHandler } from '../errors/handlers.ts';
import type { Logger } from '../lib/logger.ts';
import type { TenantLogs } from '../logs/index.ts';
import type { OidcHost } from '../oidc/host.ts';
import type { Store } from '../store/types.ts';
import { managementAuth } from './auth.ts';
import { clientGrantsRouter } from './client-grants.ts';
import { clientsRouter } from './clients/router.ts';
import { managementLogs } from './logs/index.ts';
import type { ClientService } from './clients/service.ts';

export interface ManagementDeps {
  store: Store;
  host: OidcHost;
  issuer: string;
  clients: ClientService;
  logger: Logger;
  /** Tenant logs: audits every write (sapi/fapi) and serves /logs, /users/:id/logs. */
  logs?: TenantLogs;
  /** Further resources (connections, users) mounted by their own modules. */
  extra?: Record<string, Router>;
}

/** Management API v2: bearer auth, JSON bodies, one router per resource, Auth0-shaped errors. */
export function managementRouter(deps: ManagementDeps): Router {
  const r = Router();
  r.use(managementAuth(deps.host, deps.issuer));
  r.use(express.json({ limit: '256kb', strict: false }));
  if (deps.logs) r.use(managementLogs(deps.logs, deps.issuer));
  r.use('/clients', clientsRouter(deps.store, deps.clients));
  r.use('/client-grants', clientGrantsRouter(deps.store, deps.issuer));
  for (const [path, router] of Object.entries(deps.extra ?? {})) r.use(path, router);
  r.use((req, _res, next) => next(new AppError(404, 'not_found', `Not found: ${req.method} /api/v2${req.path}`)));
  r.use(jsonErrorHandler(deps.logger));
  return r;
}
