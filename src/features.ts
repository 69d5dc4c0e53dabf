import type { Router } from 'express';
import type { Config } from './config/load.ts';
import type { Logger } from './lib/logger.ts';
import type { SecretBox } from './lib/secrets.ts';
import type { OidcHost } from './oidc/host.ts';
import type { ConnectionParamCheck } from './oidc/authorize-params.ts';
import type { Store } from './store/types.ts';
import { errors } from 'oidc-provider';
import { connectionsManagement } from './management/connections/index.ts';

export interface FeatureDeps { config: Config; store: Store; box: SecretBox; logger: Logger }

/**
 * The product's parts beyond the OIDC core: the connections and users Management API and
 * the brokered login. Composed here so server.ts stays a plain sequence of steps.
 */
export function createFeatures(deps: FeatureDeps) {
  const checkConnection: ConnectionParamCheck = async (name, clientId) => {
    const connection = await deps.store.connections.getByName(name);
    if (!connection) throw new errors.InvalidRequest(`connection "${name}" does not exist`);
    if (!connection.enabled_clients.includes(clientId)) {
      throw new errors.InvalidRequest(`connection "${name}" is not enabled for client "${clientId}"`);
    }
  };
  return {
    checkConnection,
    app(_host: OidcHost): { managementExtra?: Record<string, Router>; login?: Router } {
      return { managementExtra: connectionsManagement(deps) };
    },
    async close(): Promise<void> {},
  };
}
