/**
 * `npm run demo`: brokerid on a temporary embedded store, the example OAuth 2.0 provider, the
 * example app, and one connection between them, all on 127.0.0.1. Ctrl-C (or SIGTERM) stops
 * every process and removes the temporary store.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExampleApp } from './app.ts';
import { spawnBrokerid, type DemoServer } from './brokerid.ts';
import { freeLoopbackPort, listenLoopback } from './listen.ts';
import { createProvider } from './provider.ts';
import { CONNECTION, connectDemo } from './setup.ts';

/** Preferred ports (each falls back to a free one when taken): app, brokerid, example provider. */
const PORTS = { app: 4000, server: 4001, provider: 4002 };
const STOP_TIMEOUT_MS = 15_000;

const say = (line: string) => process.stdout.write(`${line}\n`);
const dataDir = mkdtempSync(join(tmpdir(), 'brokerid-demo-'));
const listeners: Server[] = [];
let server: DemoServer | undefined;
let stopping: Promise<void> | undefined;

// Last resort: whatever path ends this process, the temporary store goes with it.
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));

async function stopServer(): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server?.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await server.exited;
  clearTimeout(timer);
}

/** Stops brokerid (which stops its sandbox processes), closes both example servers, removes the store. */
function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    say('Stopping the demo…');
    await stopServer();
    await Promise.all(listeners.map((l) => new Promise<void>((resolve) => {
      l.close(() => resolve());
      l.closeAllConnections();
    })));
    rmSync(dataDir, { recursive: true, force: true });
    say('Demo stopped; its temporary store is removed.');
    process.exit(code);
  })();
  return stopping;
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  say('brokerid DEMO: a throwaway setup on 127.0.0.1 (loopback upstreams allowed for this server only).');
  say(`Demo data (removed on exit): ${dataDir}`);

  const provider = await listenLoopback(PORTS.provider);
  const app = await listenLoopback(PORTS.app);
  listeners.push(provider.server, app.server);
  const port = await freeLoopbackPort(PORTS.server);
  const upstream = { base: provider.base, clientId: 'brokerid-demo', clientSecret: randomBytes(24).toString('base64url') };
  provider.server.on('request', createProvider({ ...upstream, redirectUri: `http://127.0.0.1:${port}/login/callback` }));

  server = spawnBrokerid(port, dataDir, (line) => say(`[brokerid] ${line}`));
  await server.ready;
  void server.exited.then((how) => {
    if (!stopping) {
      say(`brokerid exited unexpectedly (${how}); stopping the demo.`);
      void stop(1);
    }
  });
  const credentials = await connectDemo({
    issuer: server.issuer, adminId: server.adminId, adminSecret: server.adminSecret,
    appBase: app.base, provider: upstream,
  });
  app.server.on('request', await createExampleApp({ base: app.base, issuer: server.issuer, connection: CONNECTION, ...credentials }));

  say('');
  say(`Open the example app and sign in: ${app.base}/`);
  say(`Open the admin console: ${server.issuer}admin/  Client ID: ${server.adminId}  Client Secret: ${server.adminSecret}`);
  say(`(brokerid ${server.issuer} · example provider ${provider.base}/ · connection "${CONNECTION}")`);
  say('Press Ctrl-C to stop everything.');
}

main().catch((err: unknown) => {
  say(`The demo could not start: ${err instanceof Error ? err.message : String(err)}`);
  void stop(1);
});
