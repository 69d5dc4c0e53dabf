import express, { Router } from 'express';
import { AppError } from '../errors/app-error.ts';
import { jsonErrorHandler } from '../errors/handlers.ts';
import { requestGuard } from '../http/request-guard.ts';
import { managementAuthGuard, managementTokenLimit, type Limits } from '../limits/index.ts';
import type { OidcHost } from '../oidc/host.ts';
import { managementAuth } from './auth.ts';
import { blacklistRoutes } from './blacklists/router.ts';
import { clientGrantRoutes } from './client-grants/router.ts';
import { clientRoutes } from './clients/router.ts';
import { connectionRoutes } from './connections/router.ts';
import { managementLogs } from './logs/index.ts';
import { openApiDocument } from './openapi/document.ts';
import { mountRoutes, type ManagementRoute } from './openapi/route.ts';
import { openApiRoute } from './openapi/serve.ts';
import { managementAudience } from '../lib/management-scopes.ts';
import { createTokenStanding } from './token-standing.ts';
import type { ManagementContext, ManagementFeatures, ManagementResource } from './resource.ts';
import type { ManagementServiceDeps, ManagementServices } from './services.ts';
import { userRoutes } from './users/router.ts';

export interface ManagementDeps extends ManagementServiceDeps, ManagementFeatures {
  host: OidcHost;
  limits: Limits;
  /** Built once by the app and shared with the console. */
  services: ManagementServices;
}

/**
 * Every Management API resource, in one list: adding a resource is one line here. Each
 * declares its routes once (openapi/route.ts); express mounts them and openapi.json describes them.
 */
const RESOURCES: readonly ManagementResource[] = [clientRoutes, clientGrantRoutes, connectionRoutes, userRoutes, blacklistRoutes];

/** Management API v2: bearer auth, JSON bodies, declared routes, Auth0-shaped errors, and their OpenAPI document. */
export function managementRouter(deps: ManagementDeps): Router {
  const ctx: ManagementContext = { services: deps.services, urlPolicy: deps.urlPolicy };
  const logs = deps.logs ? managementLogs(deps.logs, deps.issuer) : undefined;
  const routes: ManagementRoute[] = [...(logs?.routes ?? []), ...RESOURCES.flatMap((resource) => resource(ctx))];
  const documentRoute = openApiRoute(() => document);
  const document = openApiDocument([documentRoute, ...routes], deps.issuer);

  const r = Router();
  r.use(mountRoutes([documentRoute]));
  r.use(managementAuthGuard(deps.limits));
  r.use(managementAuth(deps.host, deps.issuer, createTokenStanding(deps.store, managementAudience(deps.issuer), deps.tokens.checkSeconds)));
  r.use(managementTokenLimit(deps.limits));
  r.use(requestGuard());
  r.use(express.json({ limit: '256kb', strict: false }));
  // Before the routes: the audit (sapi/fapi) must see every write.
  if (logs) r.use(logs.audit);
  r.use(mountRoutes(routes));
  r.use((req, _res, next) => next(new AppError(404, 'not_found', `Not found: ${req.method} /api/v2${req.path}`)));
  r.use(jsonErrorHandler(deps.logger));
  return r;
}
