import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createApp } from './app.ts';
import type { Config } from './config/load.ts';
import { routeLibraryNotices, type Logger } from './lib/logger.ts';
import { createSecretBox } from './lib/secrets.ts';
import { ensureAdminClient } from './management/bootstrap.ts';
import { createClientService } from './management/clients/service.ts';
import { createOidcHost } from './oidc/host.ts';
import { openConfiguredStore } from './prepare.ts';
import type { Store } from './store/types.ts';
import { createFeatures } from './features.ts';
import { createTenantLogs } from './logs/index.ts';
import { createServerLimits } from './limits/index.ts';
import { disabledMetrics, processMetrics } from './metrics/index.ts';
import { observeStore } from './store/observe.ts';

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  /** The express application being served (the fuzz suite reads its mounted routes). */
  app: Express;
  /** Stops accepting, finishes in-flight requests, closes the store. */
  close(): Promise<void>;
}

// The maintenance scripts open the store through here.
export { openConfiguredStore } from './prepare.ts';

/** Builds everything and listens. */
export async function startServer(config: Config, log: Logger, options: { bootstrap?: boolean } = {}): Promise<RunningServer> {
  routeLibraryNotices(log);
  const metrics = config.METRICS_ENABLED ? processMetrics() : disabledMetrics();
  const store = observeStore(await openConfiguredStore(config, metrics), metrics);
  const box = createSecretBox(config.secretsKey, config.previousSecretsKeys);
  const clients = createClientService(store, box);
  const logs = createTenantLogs({
    repo: store.logs, logger: log, retentionDays: config.LOGS_RETENTION_DAYS, enabled: config.LOGS_ENABLED,
    clientName: async (id) => (await store.clients.get(id))?.name,
  });
  const limits = createServerLimits({ config, store, logger: log, sink: logs.sink, metrics });
  const features = createFeatures({ config, store, box, logger: log, logs, metrics });
  const host = await createOidcHost({ config, store, box, checkConnection: features.checkConnection, logs: logs.sink });
  if (options.bootstrap !== false) await ensureAdminClient(config, store, clients, log);
  const stopKeys = host.watchKeys(config.KEYS_REFRESH_SECONDS, log);
  const purge = setInterval(() => store.purgeExpired().catch((err: unknown) => log.error({ err }, 'purge failed')), 60_000);
  purge.unref();

  const app = createApp({ config, store, box, logger: log, host, clients, logs, limits, ...(config.METRICS_ENABLED ? { metrics } : {}), ...features.app(host) });
  const server: Server = config.TLS_CERT_FILE && config.TLS_KEY_FILE
    ? createHttpsServer({ cert: readFileSync(config.TLS_CERT_FILE), key: readFileSync(config.TLS_KEY_FILE) }, app)
    : createHttpServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, issuer: config.issuer, store: store.kind }, 'listening');

  let closing: Promise<void> | undefined;
  return {
    url: `${config.TLS_CERT_FILE ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    store,
    app,
    close() {
      closing ??= (async () => {
        stopKeys();
        clearInterval(purge);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // A keep-alive connection whose request just finished is idle now: close it rather than wait for its timeout.
          const sweep = setInterval(() => server.closeIdleConnections(), 50);
          server.once('close', () => clearInterval(sweep));
          server.closeIdleConnections();
        });
        await features.close();
        await logs.close();
        await store.close();
      })();
      return closing;
    },
  };
}
