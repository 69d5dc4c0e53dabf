import type { Step } from './report.ts';
import { bootServer, loginScenario, measure, scrapeOf, stored, type StepTiming, type World } from './world.ts';

/**
 * A/B comparisons of the server under two settings: the server is restarted with each
 * side's settings in turn, A B A B, so a change in the machine's other load hits both
 * sides alike, and every step is brokered logins at the same concurrency, connections and
 * worker count. Used by the main run (features on/off, empty/full store) and --logs-cost.
 */

/** One side: settings over the run's own (a value of undefined removes one), and what to do before it boots. */
export interface Side { key: string; title: string; env: Record<string, string | undefined>; before?: () => Promise<void> }

/** Runs `rounds` rounds of [a, b] and resolves the steps, ids `<prefix>-<key>-<round>`; the server is left running on b's settings. */
export async function alternate(world: World, timing: StepTiming, prefix: string, sides: [Side, Side], rounds: number, c: number, workers: number): Promise<Step[]> {
  const base = { ...world.env.serverEnv };
  const steps: Step[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const side of sides) {
      await world.server.stop();
      const env: Record<string, string> = { ...base };
      for (const [k, v] of Object.entries(side.env)) if (v === undefined) delete env[k]; else env[k] = v;
      world.env.serverEnv = env;
      await side.before?.();
      world.server = await bootServer(world.env, workers);
      steps.push(await measure(timing, {
        id: `${prefix}-${side.key}-${round}`, title: `${side.title} (round ${round})`, target: 'brokerid', scenario: 'brokered login', workers, stored: stored(world),
      }, loginScenario(world), c, { server: world.server.pid, upstream: world.upstream.pid }, scrapeOf(world)));
    }
  }
  world.env.serverEnv = base;
  return steps;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Mean logins/s and CPU per login of one side's steps (`<prefix>-<key>-*`). */
export function sideMeans(steps: Step[], prefix: string, key: string): { rate: number; cpuMs: number; steps: Step[] } {
  const mine = steps.filter((s) => s.id.startsWith(`${prefix}-${key}-`));
  return { rate: mean(mine.map((s) => s.rate)), cpuMs: mean(mine.map((s) => s.serverCpuMsPerOp)), steps: mine };
}
