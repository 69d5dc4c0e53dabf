import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from './config/load.ts';
import { createLogger, type Logger } from './lib/logger.ts';

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
  // Imported only on the path taken: the primary never loads the server's modules (a
  // process keeps all it imports), a worker never loads the primary's.
  if (config.WORKERS > 1 && cluster.isPrimary) return (await import('./primary.ts')).runPrimary(config, log);
  await serve(config, log, cluster.isPrimary);
}

async function serve(config: Config, log: Logger, bootstrap: boolean): Promise<void> {
  const { startServer } = await import('./server.ts');
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
