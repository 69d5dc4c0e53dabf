import { SupervisedRunner } from './supervisor.ts';
import { SandboxPool } from './pool.ts';
import type { SandboxLimits, SandboxMetrics, ScriptRunner } from './types.ts';

export { PROFILE_SCRIPT_FORM } from './types.ts';
export type { ProfileScriptInput, SandboxLimits, SandboxMetrics, SandboxRestartReason, ScriptCheck, ScriptCheckFailure, ScriptFailureKind, ScriptResult, ScriptRunner } from './types.ts';
export { SupervisedRunner } from './supervisor.ts';
export { SandboxPool } from './pool.ts';

/**
 * The profile-script runner: isolated-vm isolates in a supervised child process, one fresh
 * context per run, script HTTP through the egress policy. Call `close()` at shutdown.
 */
export function createScriptRunner(limits: SandboxLimits): SupervisedRunner {
  return new SupervisedRunner(limits);
}

/** `processes` sandbox processes behind one runner (1 is a single SupervisedRunner). */
export function createScriptPool(limits: SandboxLimits, processes: number, metrics?: SandboxMetrics): ScriptRunner {
  return processes > 1 ? new SandboxPool(limits, processes, metrics) : new SupervisedRunner(limits, metrics);
}
