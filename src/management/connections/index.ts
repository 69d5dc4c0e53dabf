import type { Router } from 'express';
import type { FeatureDeps } from '../../features.ts';
import type { Refresher } from '../../connections/refresh.ts';
import { usersByEmailRouter, usersRouter } from '../users/router.ts';
import { connectionsRouter } from './router.ts';
import { createConnectionService } from './service.ts';

/** Management API routers for connections (and the users they create), by mount path. */
export function connectionsManagement(deps: FeatureDeps & { refresh: Refresher }): Record<string, Router> {
  const service = createConnectionService(deps.store, deps.box, deps.logs.sink);
  const policy = { allowInsecure: deps.config.ALLOW_INSECURE_UPSTREAMS };
  return {
    '/connections': connectionsRouter(deps.store, service, policy),
    '/users': usersRouter(deps),
    '/users-by-email': usersByEmailRouter(deps),
  };
}
