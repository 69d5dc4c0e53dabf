import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from './config/load.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { ensureKeySet } from './oidc/keys.ts';
import { createSecretBox } from './lib/secrets.ts';
import { openConfiguredStore, prepareStore, startServer } from './server.ts';
import { startClusterCounters } from './limits/index.ts';
import { startClusterMetrics } from './metrics/index.ts';

/** Process entry: load settings, prepare the store once, then serve from one or WORKERS processes. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Cannot start: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);
  if (cluster.isPrimary) {
    for (const warning of config.devWarnings) log.warn(`DEVELOPMENT SETTING: ${warning}`);
    // Loud on purpose: a plain banner a person sees even when the JSON log goes elsewhere.
    if (config.devWarnings.length) {
      process.stderr.write(`\n!!! ${config.devWarnings.length} development-only setting(s) in force:\n${config.devWarnings.map((w) => `!!!   ${w}`).join('\n')}\n\n`);
    }
  }
  if (config.WORKERS > 1 && cluster.isPrimary) return primary(config, log);
  await serve(config, log, cluster.isPrimary);
}

async function primary(config: Config, log: Logger): Promise<void> {
  // Keys and the admin client are made once here, so workers never race to create them.
  const store = await openConfiguredStore(config);
  await ensureKeySet(store, createSecretBox(config.secretsKey, config.previousSecretsKeys));
  await prepareStore(config, store, log);
  await store.close();
  // The workers' rate-limit counters live here, so one limit holds across all of them.
  startClusterCounters();
  // A scrape of any worker answers for all of them: the primary gathers their registries.
  startClusterMetrics();
  let stopping = false;
  for (let i = 0; i < config.WORKERS; i++) cluster.fork();
  cluster.on('exit', (worker, code) => {
    if (stopping) {
      if (!Object.keys(cluster.workers ?? {}).length) process.exit(0);
      return;
    }
    log.error({ worker: worker.process.pid, code }, 'worker died; starting another');
    cluster.fork();
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function serve(config: Config, log: Logger, bootstrap: boolean): Promise<void> {
  const server = await startServer(config, log, { bootstrap });
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close().then(() => process.exit(0), (err: unknown) => {
      log.error({ err }, 'unclean shutdown');
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
