import type { Router } from 'express';
import type { Config } from './config/load.ts';
import { createBroker } from './connections/broker.ts';
import { TRY_CLIENT_ID } from './connections/dry-run.ts';
import { createDryRunPort } from './console/try/dry-run-port.ts';
import type { ConsolePages } from './console/routes.ts';
import { tryPages } from './console/try/routes.ts';
import { createClientService } from './management/clients/service.ts';
import { createOptionsCache } from './connections/options-cache.ts';
import { upstreamUrlPolicy } from './connections/upstream-egress.ts';
import type { Logger } from './lib/logger.ts';
import type { Metrics } from './metrics/types.ts';
import type { SecretBox } from './lib/secrets.ts';
import type { TenantLogs } from './logs/index.ts';
import { loginRouter } from './login/routes.ts';
import { sendExpired } from './login/pages.ts';
import type { ManagementFeatures } from './management/resource.ts';
import { connectionParamCheck } from './oidc/authorize-capture.ts';
import type { OidcHost } from './oidc/host.ts';
import { createInteractionPort } from './oidc/interactions.ts';
import { createScriptPool } from './sandbox/index.ts';
import type { Store } from './store/types.ts';
import { withCachedConnections } from './store/cached-connections.ts';

export interface FeatureDeps { config: Config; store: Store; box: SecretBox; logger: Logger; logs: TenantLogs; metrics: Metrics }

/**
 * The product's parts beyond the OIDC core: the brokered login (with its script sandbox) and
 * what the Management API needs from it. Composed here so server.ts stays a plain sequence
 * of steps.
 */
export function createFeatures(deps: FeatureDeps) {
  const { config } = deps;
  const runner = createScriptPool({
    timeoutMs: config.SCRIPT_TIMEOUT_MS,
    memoryMb: config.SCRIPT_MEMORY_MB,
    maxRequests: config.SCRIPT_MAX_REQUESTS,
    maxResponseBytes: config.SCRIPT_MAX_RESPONSE_BYTES,
    egress: { ...upstreamUrlPolicy(config), timeoutMs: config.UPSTREAM_TIMEOUT_MS, maxBytes: config.SCRIPT_MAX_RESPONSE_BYTES },
  }, config.SANDBOX_PROCESSES, deps.metrics);
  const urlPolicy = upstreamUrlPolicy(config);
  const optionsOf = createOptionsCache(deps.box, urlPolicy);
  // The login path reads its connection from a version-checked cache; the console and the API read the store.
  const loginStore = withCachedConnections(deps.store);
  return {
    // The console's tester client may name any connection; the broker lets it through only as a try.
    checkConnection: connectionParamCheck(loginStore, (clientId) => clientId === TRY_CLIENT_ID),
    app(host: OidcHost): { management: ManagementFeatures; login: Router; tryConnection: ConsolePages } {
      const interactions = createInteractionPort(() => host.provider());
      const dryRun = createDryRunPort({ store: deps.store, issuer: config.issuer, logger: deps.logger, optionsOf });
      const broker = createBroker({ ...deps, store: loginStore, loginLogs: deps.logs.sink, runner, interactions, optionsOf, expired: sendExpired, dryRun });
      return {
        management: { refresh: broker.refresh, urlPolicy, checkScript: (script) => runner.check(script) },
        login: loginRouter({ store: deps.store, broker, interactions, allowHttpImages: config.ALLOW_INSECURE_UPSTREAMS }),
        // Console pages: the console router runs them after its sign-in, session and CSRF checks.
        tryConnection: tryPages({ config, store: deps.store, clients: createClientService(deps.store, deps.box), runner, optionsOf }),
      };
    },
    close: (): Promise<void> => runner.close(),
  };
}
