import type { Config } from '../config/load.ts';
import { managementAudience } from '../lib/management-scopes.ts';
import type { Logger } from '../lib/logger.ts';
import type { SecretBox } from '../lib/secrets.ts';
import type { TenantLogs } from '../logs/index.ts';
import { NO_LOGS } from '../logs/types.ts';
import type { Store } from '../store/types.ts';
import { createBlacklistService, type BlacklistService } from './blacklists/service.ts';
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
  blacklists: BlacklistService;
}

export interface ManagementServiceDeps {
  store: Store;
  box: SecretBox;
  logger: Logger;
  issuer: string;
  /** Shared with the admin bootstrap, so built by the caller. */
  clients: ClientService;
  refresh: Refresher;
  /** Tenant logs (du events); none in tests that do not ask for them. */
  logs?: TenantLogs;
  tokens: ManagementTokenSettings;
  /** Compiles admin scripts in the sandbox at save time (ScriptRunner.check). */
  checkScript: ScriptRunner['check'];
}

/** How Management API tokens are checked and revoked (from the settings). */
export interface ManagementTokenSettings {
  /** How long (s) a process may reuse what it read about a token's client, grant and revocation. */
  checkSeconds: number;
  /** The longest lifetime (s) of a token issued under the current settings: how long a revocation is kept. */
  longestLifetime: number;
}

/** The token settings from the configuration (one home for how they are derived). */
export const managementTokenSettings = (config: Pick<Config, 'MGMT_TOKEN_CHECK_SECONDS' | 'MGMT_TOKEN_TTL' | 'ACCESS_TOKEN_TTL'>): ManagementTokenSettings => ({
  checkSeconds: config.MGMT_TOKEN_CHECK_SECONDS, longestLifetime: Math.max(config.MGMT_TOKEN_TTL, config.ACCESS_TOKEN_TTL),
});

/** Builds every Management service once, over one store. */
export function createManagementServices(deps: ManagementServiceDeps): ManagementServices {
  return {
    clients: deps.clients,
    clientGrants: createClientGrantService(deps.store, deps.issuer, deps.clients),
    connections: createConnectionService(deps.store, deps.box, deps.logs?.sink ?? NO_LOGS, createScriptCheck(deps.checkScript)),
    users: createUserService({ ...deps, logs: deps.logs?.sink ?? NO_LOGS }),
    blacklists: createBlacklistService(deps.store, managementAudience(deps.issuer), deps.tokens.longestLifetime),
  };
}
