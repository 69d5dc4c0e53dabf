import express, { Router } from 'express';
import { AppError } from '../errors/app-error.ts';
import { jsonErrorHandler } from '../errors/handlers.ts';
import { requestGuard } from '../http/request-guard.ts';
import { managementAuthGuard, managementTokenLimit, type Limits } from '../limits/index.ts';
import type { OidcHost } from '../oidc/host.ts';
import { managementAuth } from './auth.ts';
import { blacklistsRouter } from './blacklists/router.ts';
import { clientGrantsRouter } from './client-grants/router.ts';
import { clientsRouter } from './clients/router.ts';
import { connectionsRouter } from './connections/router.ts';
import { managementLogs } from './logs/index.ts';
import { managementAudience } from '../lib/management-scopes.ts';
import { createTokenStanding } from './token-standing.ts';
import type { ManagementContext, ManagementFeatures, ManagementResource } from './resource.ts';
import { createManagementServices, type ManagementServiceDeps } from './services.ts';
import { usersByEmailRouter, usersRouter } from './users/router.ts';

export interface ManagementDeps extends ManagementServiceDeps, ManagementFeatures {
  host: OidcHost;
  limits: Limits;
}

/** Every Management API resource by mount path, in one list: adding a resource is one line here. */
const RESOURCES: readonly (readonly [path: string, resource: ManagementResource])[] = [
  ['/clients', clientsRouter],
  ['/client-grants', clientGrantsRouter],
  ['/connections', connectionsRouter],
  ['/users', usersRouter],
  ['/users-by-email', usersByEmailRouter],
  ['/blacklists', blacklistsRouter],
];

/** Management API v2: bearer auth, JSON bodies, one router per resource, Auth0-shaped errors. */
export function managementRouter(deps: ManagementDeps): Router {
  const ctx: ManagementContext = { services: createManagementServices(deps), urlPolicy: deps.urlPolicy };
  const r = Router();
  r.use(managementAuthGuard(deps.limits));
  r.use(managementAuth(deps.host, deps.issuer, createTokenStanding(deps.store, managementAudience(deps.issuer), deps.tokens.checkSeconds)));
  r.use(managementTokenLimit(deps.limits));
  r.use(requestGuard());
  r.use(express.json({ limit: '256kb', strict: false }));
  // Before the resources: the audit (sapi/fapi) must see every write, and /users/:id/logs shares the /users prefix.
  if (deps.logs) r.use(managementLogs(deps.logs, deps.issuer));
  for (const [path, resource] of RESOURCES) r.use(path, resource(ctx));
  r.use((req, _res, next) => next(new AppError(404, 'not_found', `Not found: ${req.method} /api/v2${req.path}`)));
  r.use(jsonErrorHandler(deps.logger));
  return r;
}
