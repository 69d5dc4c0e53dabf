import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { seedUsers } from '../seed.ts';
import { seedLogEvents, snapshotStore } from '../seed-store.ts';
import { alternate } from './alternate.ts';
import type { Step } from './report.ts';
import { BASE_USERS, say, setUpstreamUsers, storeFileOf, type StepTiming, type World } from './world.ts';

/** The main run's two A/B comparisons (issue 13): what the optional features cost, and what a full store costs. */

export const STORE_USERS = 100_000;
export const STORE_LOG_EVENTS = 1_000_000;
const ROUNDS = 2;

/** Tenant logs, rate limits and metrics all off, then all on (the defaults), A B A B; the server is left on the defaults. */
export function featuresCost(world: World, timing: StepTiming, c: number, workers: number): Promise<Step[]> {
  return alternate(world, timing, 'features', [
    { key: 'off', title: 'brokered login, logs + rate limits + metrics off', env: { LOGS_ENABLED: 'false', RATE_LIMITS: 'false', METRICS_ENABLED: 'false' } },
    { key: 'on', title: 'brokered login, logs + rate limits + metrics on', env: {} },
  ], ROUNDS, c, workers);
}

/** Two copies of the store as registered (apps, connections, keys, the base users), taken before anything is measured. */
export interface StoreCopies { empty: string; full: string }

/** Snapshots the run's store into two data directories under the run's tmp. */
export function copyStore(world: World): StoreCopies {
  const dirs = { empty: join(world.env.tmp, 'data-empty'), full: join(world.env.tmp, 'data-full') };
  for (const dir of Object.values(dirs)) {
    mkdirSync(dir, { recursive: true });
    snapshotStore(storeFileOf(world.env), join(dir, 'store.sqlite'));
  }
  return dirs;
}

/** Seeds the full copy (users, then log events), timing each, and resolves the seconds. */
async function seedFull(world: World, dir: string): Promise<{ usersSeconds: number; logsSeconds: number }> {
  const file = join(dir, 'store.sqlite');
  const t = performance.now();
  await seedUsers(file, BASE_USERS, STORE_USERS);
  const usersSeconds = (performance.now() - t) / 1000;
  const logsSeconds = seedLogEvents(file, STORE_LOG_EVENTS, world.apps.app.clientId, STORE_USERS);
  say(`seeded ${STORE_USERS - BASE_USERS} users in ${usersSeconds.toFixed(1)} s and ${STORE_LOG_EVENTS} log events in ${logsSeconds.toFixed(1)} s (indexes built included)`);
  return { usersSeconds, logsSeconds };
}

/**
 * The empty copy against the full one (100,000 users, 1,000,000 log events), A B A B: the
 * server restarted on each data directory in turn, the upstream handing out each store's
 * users (logins spread over all 100,000 on the full side). Same connections, workers, C.
 */
export async function storeScale(world: World, copies: StoreCopies, timing: StepTiming, c: number, workers: number): Promise<{ steps: Step[]; seeding: { usersSeconds: number; logsSeconds: number } }> {
  const seeding = await seedFull(world, copies.full);
  const steps = await alternate(world, timing, 'store', [
    { key: 'empty', title: `brokered login, empty store (${BASE_USERS} users)`, env: { DATA_DIR: copies.empty }, before: () => setUpstreamUsers(world.upstreamUrl, BASE_USERS) },
    { key: 'full', title: `brokered login, ${STORE_USERS.toLocaleString('en-US')} users + ${STORE_LOG_EVENTS.toLocaleString('en-US')} log events stored`,
      env: { DATA_DIR: copies.full }, before: () => setUpstreamUsers(world.upstreamUrl, STORE_USERS) },
  ], ROUNDS, c, workers);
  return { steps, seeding };
}
