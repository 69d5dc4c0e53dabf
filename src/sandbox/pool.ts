import { SupervisedRunner } from './supervisor.ts';
import type { ProfileScriptInput, SandboxLimits, SandboxMetrics, ScriptCheck, ScriptResult, ScriptRunner } from './types.ts';

/**
 * Several sandbox processes, each with its own isolate: a run goes to the process with the
 * fewest runs in flight, so a CPU-heavy or memory-exhausting script holds up (or takes
 * down) only the runs that share its process.
 */
export class SandboxPool implements ScriptRunner {
  readonly #runners: SupervisedRunner[];
  readonly #load: number[];

  constructor(limits: SandboxLimits, size: number, metrics?: SandboxMetrics) {
    this.#runners = Array.from({ length: Math.max(1, size) }, () => new SupervisedRunner(limits, metrics));
    this.#load = this.#runners.map(() => 0);
  }

  /** Process ids of the sandbox processes (for operations and tests). */
  get pids(): (number | undefined)[] {
    return this.#runners.map((r) => r.pid);
  }

  run(input: ProfileScriptInput): Promise<ScriptResult> {
    return this.#onLeastLoaded((runner) => runner.run(input));
  }

  check(script: string): Promise<ScriptCheck> {
    return this.#onLeastLoaded((runner) => runner.check(script));
  }

  async #onLeastLoaded<T>(use: (runner: SupervisedRunner) => Promise<T>): Promise<T> {
    let pick = 0;
    for (let i = 1; i < this.#load.length; i++) if (this.#load[i]! < this.#load[pick]!) pick = i;
    this.#load[pick]!++;
    try {
      return await use(this.#runners[pick]!);
    } finally {
      this.#load[pick]!--;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#runners.map((r) => r.close()));
  }
}
