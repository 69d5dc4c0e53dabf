import express, { type Express, type Router } from 'express';
import { htmlErrorHandler } from './errors/handlers.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { Config } from './config/load.ts';
import type { Logger } from './lib/logger.ts';
import type { SecretBox } from './lib/secrets.ts';
import { NO_LOGS } from './lib/log-events.ts';
import type { TenantLogs } from './logs/index.ts';
import { limitPerIp, tokenEndpointGuard, type Limits } from './limits/index.ts';
import type { ClientService } from './management/clients/service.ts';
import type { ManagementFeatures } from './management/resource.ts';
import { managementRouter } from './management/router.ts';
import { createManagementServices, managementTokenSettings } from './management/services.ts';
import { consoleRouter, type ConsolePages } from './console/routes.ts';
import { captureAuthorizeParams } from './oidc/authorize-capture.ts';
import type { OidcHost } from './oidc/host.ts';
import { auth0Logout } from './oidc/logout.ts';
import { auth0TokenRequest, tokenRequestClientId } from './oidc/auth0-token-request.ts';
import type { Store } from './store/types.ts';
import { metricsRoute, type Metrics } from './metrics/index.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  box: SecretBox;
  logger: Logger;
  host: OidcHost;
  clients: ClientService;
  /** What the Management API takes from the connections engine (features.ts). */
  management: ManagementFeatures;
  /** Tenant logs: the Management API audits its writes and serves /logs. */
  logs?: TenantLogs;
  /** Rate limits and brute-force guards (src/limits). */
  limits: Limits;
  /** The process's metrics, served at GET /metrics (token or loopback only). */
  metrics?: Metrics;
  /** Routes of the login flow (interaction pages, upstream callback). */
  login?: Router;
  /** The console's "Try connection" and "Run script" pages (mounted inside the console, after its sign-in). */
  tryConnection?: ConsolePages;
}

const READY_TIMEOUT_MS = 2000;

/** Composes the HTTP application from injected parts; does no I/O of its own. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // One hop: req.ip is the address the proxy saw (the last X-Forwarded-For entry), not the
  // first, which the client writes itself and could vary to slip past the per-IP limits.
  app.set('trust proxy', deps.config.TRUST_PROXY ? 1 : false);
  app.use(securityHeaders({ issuer: deps.config.issuer }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await Promise.race([
        deps.store.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('store did not answer in time')), READY_TIMEOUT_MS).unref()),
      ]);
      res.json({ status: 'ready', store: deps.store.kind });
    } catch (err) {
      res.status(503).json({ status: 'unavailable', store: deps.store.kind, message: (err as Error).message });
    }
  });

  if (deps.metrics) app.get('/metrics', metricsRoute(deps.metrics, deps.config.METRICS_TOKEN));

  const managementDeps = {
    store: deps.store, box: deps.box, host: deps.host, issuer: deps.config.issuer, clients: deps.clients, logger: deps.logger, ...deps.management,
    ...(deps.logs ? { logs: deps.logs } : {}),
    tokens: managementTokenSettings(deps.config), limits: deps.limits,
  };
  // One set of services for the API and the console: the console is another client of the same code.
  const services = createManagementServices(managementDeps);
  app.use('/api/v2', managementRouter({ ...managementDeps, services }));
  app.use('/admin', consoleRouter({ ...deps, services }));
  app.use('/authorize', limitPerIp(deps.limits, 'authorize_ip', 'Too many sign-in requests from this address'));
  app.use('/login', limitPerIp(deps.limits, 'login_ip', 'Too many sign-in requests from this address'));
  app.use('/authorize', express.urlencoded({ extended: false, limit: '56kb' }), captureAuthorizeParams);
  app.post('/oauth/token', auth0TokenRequest(deps.store), tokenEndpointGuard(deps.limits, tokenRequestClientId));
  app.get('/v2/logout', auth0Logout(deps.host, deps.logs?.sink ?? NO_LOGS));
  if (deps.login) app.use(deps.login);
  app.use((req, res) => deps.host.handle(req, res));
  app.use(htmlErrorHandler(deps.logger));
  return app;
}
