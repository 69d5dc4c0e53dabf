import type { Logger } from '../lib/logger.ts';
import type { SecretBox } from '../lib/secrets.ts';
import type { Store } from '../store/types.ts';
import { createClientGrantService, type ClientGrantService } from './client-grants/service.ts';
import type { ClientService } from './clients/service.ts';
import { createScriptCheck } from './connections/scripts.ts';
import { createConnectionService, type ConnectionService } from './connections/service.ts';
import type { ScriptRunner } from '../sandbox/types.ts';
import type { Refresher } from '../connections/refresh.ts';
import { createUserService, type UserService } from './users/service.ts';

/**
 * The services behind the Management API routes; only they reach the store. Each one reports
 * a missing record the same way: it throws the 404 from not-found.ts.
 */
export interface ManagementServices {
  clients: ClientService;
  clientGrants: ClientGrantService;
  connections: ConnectionService;
  users: UserService;
}

export interface ManagementServiceDeps {
  store: Store;
  box: SecretBox;
  logger: Logger;
  issuer: string;
  /** Shared with the admin bootstrap, so built by the caller. */
  clients: ClientService;
  refresh: Refresher;
  /** Compiles admin scripts in the sandbox at save time (ScriptRunner.check). */
  checkScript: ScriptRunner['check'];
}

/** Builds every Management service once, over one store. */
export function createManagementServices(deps: ManagementServiceDeps): ManagementServices {
  return {
    clients: deps.clients,
    clientGrants: createClientGrantService(deps.store, deps.issuer, deps.clients),
    connections: createConnectionService(deps.store, deps.box, createScriptCheck(deps.checkScript)),
    users: createUserService(deps),
  };
}
