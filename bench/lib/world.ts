import { freePort } from '../../test/support/ports.ts';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { countRows, seedUsers } from '../seed.ts';
import { listeningPort, runDriver, startHelper, startServer, type Child } from './children.ts';
import { ACTIVE_CONNECTIONS } from './fixtures.ts';
import type { LoginScenario, TokenScenario } from './protocol.ts';
import { toStep, type Step } from './report.ts';
import { scraper, serverView, viewLine } from './scrape.ts';
import { adminToken, API_AUDIENCE, API_SCOPES, REDIRECT_URI, registerBenchApps, type BenchApps } from './setup.ts';

/** The pieces every benchmark mode shares: the processes, the bench's registrations, one measured step. */

export const DEFAULT_WORKERS = availableParallelism();
/** Users stored (and handed out by the upstream) before the scale steps. */
export const BASE_USERS = 100;

const started = performance.now();
/** A progress line, prefixed with the seconds since the run started. */
export const say = (line: string): void => {
  process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
};
export const elapsedSeconds = (): number => (performance.now() - started) / 1000;

/** Where a run keeps its store and logs, and the server's settings (a development server on loopback). */
export interface Env { tmp: string; logs: string; storeFile: string; issuer: string; serverEnv: Record<string, string> }

async function environment(): Promise<Env> {
  const tmp = await mkdtemp(join(tmpdir(), 'brokerid-bench-'));
  const dataDir = join(tmp, 'data');
  const logs = join(tmp, 'logs');
  mkdirSync(logs, { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  // The stores (over a GB with the full copy) never outlive the run, even a failed one; the logs stay for a post-mortem.
  process.once('exit', () => {
    for (const dir of ['data', 'data-empty', 'data-full']) rmSync(join(tmp, dir), { recursive: true, force: true });
  });
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}/`;
  return {
    tmp, logs, issuer, storeFile: join(dataDir, 'store.sqlite'),
    serverEnv: {
      NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), ISSUER: issuer, DATA_DIR: dataDir,
      SECRETS_KEY: randomBytes(32).toString('base64'), ADMIN_CLIENT_ID: 'bench-admin', ADMIN_CLIENT_SECRET: randomBytes(24).toString('base64url'),
      ALLOW_INSECURE_UPSTREAMS: 'true', LOG_LEVEL: 'info', METRICS_TOKEN: randomBytes(24).toString('base64url'),
      // Every virtual user speaks from 127.0.0.1: the limits stay on (their cost is measured) but far above the load.
      RATE_LIMIT_AUTHORIZE: '10000000', RATE_LIMIT_LOGIN: '10000000', RATE_LIMIT_MANAGEMENT: '10000000',
    },
  };
}

/** Tells the upstream how many users it hands out (they exist in the store). */
export async function setUpstreamUsers(upstream: string, n: number): Promise<void> {
  const res = await fetch(`${upstream}/_bench/users?n=${n}`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`upstream pool: ${res.status}`);
}

/** Everything a run measures against. */
export interface World { env: Env; upstream: Child; upstreamUrl: string; apps: BenchApps; server: Child }

/**
 * Starts the upstream and the server, registers the app, machine client and connections, seeds the base users.
 * `serverEnv` adds to (or overrides) the server's settings.
 */
export async function startWorld(serverWorkers: number, serverExecArgv: string[] = [], serverEnv: Record<string, string> = {}): Promise<World> {
  const env = await environment();
  Object.assign(env.serverEnv, serverEnv);
  say(`temporary store and logs in ${env.tmp}`);
  const upstream = await startHelper('upstream.ts', {}, join(env.logs, 'upstream.log'));
  const upstreamUrl = `http://127.0.0.1:${listeningPort(upstream)}`;
  say(`upstream OAuth 2.0 provider listening at ${upstreamUrl} (pid ${upstream.pid})`);
  const server = await bootServer(env, serverWorkers, serverExecArgv);
  const token = await adminToken(env.issuer, env.serverEnv['ADMIN_CLIENT_ID']!, env.serverEnv['ADMIN_CLIENT_SECRET']!);
  const apps = await registerBenchApps(env.issuer, token, upstreamUrl);
  await seedUsers(env.storeFile, 0, BASE_USERS);
  await setUpstreamUsers(upstreamUrl, BASE_USERS);
  say(`registered the app, a machine client, ${ACTIVE_CONNECTIONS} connections; seeded ${BASE_USERS} users`);
  return { env, upstream, upstreamUrl, apps, server };
}

/** Starts the server on the run's store; WORKERS is left unset (its default) unless `workers` differs. */
export async function bootServer(env: Env, workers: number, execArgv: string[] = []): Promise<Child> {
  const server = await startServer({ ...env.serverEnv, ...(workers === DEFAULT_WORKERS ? {} : { WORKERS: String(workers) }) }, workers,
    join(env.logs, 'server.log'), execArgv);
  say(`server listening at ${env.issuer} (pid ${server.pid}, ${workers} worker process${workers > 1 ? 'es' : ''}${workers === DEFAULT_WORKERS ? ', WORKERS default' : ''})`);
  return server;
}

/** Starts plain oidc-provider with the same clients; resolves it and its issuer. */
export async function startBaseline(world: World, execArgv: string[] = []): Promise<{ child: Child; issuer: string }> {
  const port = await freePort();
  const child = await startHelper('baseline.ts', {
    PORT: String(port), BENCH_CLIENT_ID: world.apps.app.clientId, BENCH_CLIENT_SECRET: world.apps.app.clientSecret, BENCH_REDIRECT_URI: REDIRECT_URI,
    BENCH_M2M_ID: world.apps.m2m.clientId, BENCH_M2M_SECRET: world.apps.m2m.clientSecret, BENCH_AUDIENCE: API_AUDIENCE, BENCH_SCOPE: API_SCOPES.join(' '),
  }, join(world.env.logs, 'baseline.log'), execArgv);
  const issuer = `http://127.0.0.1:${port}/`;
  say(`baseline oidc-provider listening at ${issuer} (pid ${child.pid})`);
  return { child, issuer };
}

/** A login through our connections, or (with `issuer` of the baseline and no connections) a plain one. */
export function loginScenario(world: World, issuer = world.env.issuer, connections = world.apps.connections): LoginScenario {
  return {
    kind: 'login', issuer, authorizeUrl: `${issuer}authorize`, tokenUrl: `${issuer}oauth/token`,
    clientId: world.apps.app.clientId, clientSecret: world.apps.app.clientSecret, redirectUri: REDIRECT_URI, connections,
  };
}

/** A client-credentials token: `audience` (Auth0's dialect) on ours, `resource` + `scope` on plain oidc-provider. */
export function tokenScenario(world: World, issuer: string, plain: boolean): TokenScenario {
  return {
    kind: 'client_credentials', tokenUrl: `${issuer}oauth/token`, clientId: world.apps.m2m.clientId, clientSecret: world.apps.m2m.clientSecret,
    params: plain ? { resource: API_AUDIENCE, scope: API_SCOPES.join(' ') } : { audience: API_AUDIENCE },
  };
}

/** The store file the server is (or will be) started on: DATA_DIR's. */
export const storeFileOf = (env: Env): string => join(env.serverEnv['DATA_DIR'] ?? '', 'store.sqlite');

/** What is stored now (for the record of a step). */
export function stored(world: World): { connections: number; users: number; logs: number } {
  const rows = countRows(storeFileOf(world.env));
  return { connections: rows.connections, users: rows.users, logs: rows.logs };
}

/** Reads the server's /metrics text (undefined when it does not answer). */
export type Scrape = () => Promise<string | undefined>;

/** The scraper of this run's server (the bench sets METRICS_TOKEN). */
export const scrapeOf = (world: World): Scrape => scraper(world.env.issuer, world.env.serverEnv['METRICS_TOKEN']!);

export interface StepTiming { warmupMs: number; durationMs: number; verbose: boolean }

/** Runs one step with a fresh driver process and prints its line; `scrape` reads the server's /metrics as the window opens and closes. */
export async function measure(timing: StepTiming, meta: Parameters<typeof toStep>[0], scenario: LoginScenario | TokenScenario, concurrency: number,
  roots: Record<string, number>, scrape?: Scrape): Promise<Step> {
  say(`▶ ${meta.title}, ${concurrency} virtual users: ${timing.warmupMs / 1000} s warm-up + ${timing.durationMs / 1000} s ...`);
  const edges: Partial<Record<'start' | 'end', Promise<string | undefined>>> = {};
  const job = { scenario, concurrency, warmupMs: timing.warmupMs, durationMs: timing.durationMs };
  const { result, usage } = await runDriver(job, roots, scrape && ((edge) => { edges[edge] = scrape(); }));
  const [before, after] = await Promise.all([edges.start, edges.end]);
  const step = toStep(meta, result, usage, before && after ? serverView(before, after, result.completed) : undefined);
  const op = scenario.kind === 'login' ? 'login' : 'token';
  const other = step.otherCpuCores >= 0.2 ? `; OTHER LOAD ON THE MACHINE ${step.otherCpuCores} cores (numbers disturbed)` : '';
  say(`  ${step.rate} ${op}s/s; p50 ${step.latencyMs.p50} ms, p95 ${step.latencyMs.p95} ms, p99 ${step.latencyMs.p99} ms; errors ${step.errors}; `
    + `server ${step.serverCpuCores} cores (${Object.entries(step.serverCpuParts).map(([k, v]) => `${k} ${v}`).join(', ')}), `
    + `${step.serverCpuMsPerOp} ms CPU per ${op}, ${step.serverPeakRssMb} MB RSS in ${step.serverProcesses} processes; `
    + `upstream ${step.upstreamCpuCores}, driver ${step.driverCpuCores} cores${other}`);
  if (timing.verbose) for (const [hop, h] of Object.entries(step.hops)) say(`    ${hop}: ${h.meanMs} ms mean (${h.count})`);
  if (step.serverView) say(`  server's view: ${viewLine(step.serverView)}`);
  say(`  peak RSS by process kind: ${Object.entries(step.serverPeakRssPartsMb).map(([k, v]) => `${k} ${v} MB`).join(', ')}`);
  for (const sample of step.errorSamples) say(`  error: ${sample}`);
  return step;
}
