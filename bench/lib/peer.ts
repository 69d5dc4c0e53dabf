import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { dirname, join } from 'node:path';
import { freePort } from '../../test/support/ports.ts';
import { runDriver, startHelper, type Child } from './children.ts';
import type { LoginScenario } from './protocol.ts';
import { REDIRECT_URI } from './setup.ts';
import { BASE_USERS, say, type World } from './world.ts';

/** Starting the peer (bench/peer/server.ts: better-auth doing our job) and bringing it to where ours starts. */

const PEER_DIR = join(dirname(import.meta.dirname), 'peer');

/**
 * better-auth is the bench's own dependency, not the project's: its packages pin peer ranges
 * npm 11 refuses to mix (see bench/peer/.npmrc), so it lives in bench/peer with its own
 * lockfile and is installed there on the first run.
 */
function ensurePeerInstalled(): void {
  if (existsSync(join(PEER_DIR, 'node_modules', 'better-auth', 'package.json'))) return;
  say('installing the peer (better-auth) into bench/peer/node_modules');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEER_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** better-auth (bench/peer/server.ts) doing our job on its own SQLite file; resolves it and the login its app does. */
export async function startPeer(world: World, execArgv: string[] = []): Promise<{ child: Child; scenario: LoginScenario }> {
  ensurePeerInstalled();
  const port = await freePort();
  const child = await startHelper('peer/server.ts', {
    PORT: String(port), DB_FILE: join(world.env.tmp, 'peer.sqlite'), UPSTREAM: world.upstreamUrl, BENCH_REDIRECT_URI: REDIRECT_URI,
  }, join(world.env.logs, 'peer.log'), execArgv);
  const ready = JSON.parse(/\{"listening":.*\}/.exec(child.tail())?.[0] ?? '{}') as { issuer?: string; clientId?: string; clientSecret?: string };
  if (!ready.issuer || !ready.clientId || !ready.clientSecret) throw new Error(`the peer did not say how to reach it:\n${child.tail()}`);
  const origin = `http://127.0.0.1:${port}`;
  say(`peer better-auth listening at ${origin} (pid ${child.pid})`);
  const scenario: LoginScenario = {
    kind: 'login', issuer: ready.issuer, authorizeUrl: `${origin}/api/auth/oauth2/authorize`, tokenUrl: `${origin}/api/auth/oauth2/token`,
    clientId: ready.clientId, clientSecret: ready.clientSecret, redirectUri: REDIRECT_URI, connections: world.apps.connections,
  };
  await primePeer(scenario, join(world.env.tmp, 'peer.sqlite'), child.pid);
  return { child, scenario };
}

/**
 * Ours starts with the upstream's users stored (seeded); the peer gets them the only way it
 * can, by their first logins, before anything is measured: unmeasured rounds until every
 * one of them exists (bounded).
 */
async function primePeer(scenario: LoginScenario, dbFile: string, pid: number): Promise<void> {
  const users = (): number => {
    const db = new DatabaseSync(dbFile, { readOnly: true });
    try {
      return Number(db.prepare('SELECT count(*) AS n FROM user WHERE email LIKE ?').get('%@bench.example')?.['n'] ?? 0);
    } finally {
      db.close();
    }
  };
  for (let round = 0; round < 10 && users() < BASE_USERS; round++) {
    const { result } = await runDriver({ scenario, concurrency: 8, warmupMs: 0, durationMs: 2_000 }, { server: pid });
    if (result.errors) throw new Error(`the peer failed while priming: ${result.errorSamples.join('; ')}`);
  }
  say(`peer primed: ${users()} of the upstream's ${BASE_USERS} users signed in once`);
}
