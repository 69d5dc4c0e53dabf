import { SupervisedRunner } from './supervisor.ts';
import type { SandboxLimits } from './types.ts';

export type { ProfileScriptInput, SandboxLimits, ScriptFailureKind, ScriptResult, ScriptRunner } from './types.ts';
export { SupervisedRunner } from './supervisor.ts';

/**
 * The profile-script runner: isolated-vm isolates in a supervised child process, one fresh
 * context per run, script HTTP through the egress policy. Call `close()` at shutdown.
 */
export function createScriptRunner(limits: SandboxLimits): SupervisedRunner {
  return new SupervisedRunner(limits);
}
