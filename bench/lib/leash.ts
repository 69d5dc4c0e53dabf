/**
 * Preloaded (--import) into the server the benchmark starts, which gets an IPC channel to
 * the orchestrator: when that channel closes (the orchestrator ended, however it ended), the
 * server shuts down as on SIGTERM. Cluster workers (NODE_UNIQUE_ID set) inherit the preload
 * but already follow their primary, so it does nothing there.
 */
if (process.send !== undefined && process.env['NODE_UNIQUE_ID'] === undefined) {
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
