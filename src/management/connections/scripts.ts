import { AppError, badRequest } from '../../errors/app-error.ts';
import { isRecord } from '../../lib/is-record.ts';
import { PROFILE_SCRIPT_FORM, type ScriptRunner } from '../../sandbox/types.ts';

/**
 * The save-time check of a connection's `options.scripts`: each script is compiled in the
 * sandbox (ScriptRunner.check), never in this process, so a script that cannot run is refused
 * when it is saved rather than at a user's login. The admin console's script editor calls
 * `checkScript` for the same verdict.
 */

/** The form each script Auth0 defines must have; any other key under `scripts` is checked as a plain function. */
const FORMS = new Map([
  ['fetchUserProfile', PROFILE_SCRIPT_FORM],
  ['getLogoutUrl', 'function (query, callback) { ... }'],
]);

/** What the script editor shows: fine, or what to fix (400) or to retry (503), with the position in the script. */
export type ScriptVerdict =
  | { ok: true }
  | { ok: false; status: 400 | 503; message: string; line?: number; column?: number };

/** Compiles scripts in the sandbox and turns its answer into verdicts and API errors. */
export function createScriptCheck(check: ScriptRunner['check']) {
  /** The verdict on one script, `name` being its key under options.scripts. */
  async function checkScript(name: string, source: string): Promise<ScriptVerdict> {
    const result = await check(source);
    if (result.ok) return { ok: true };
    const at = { ...(result.line !== undefined ? { line: result.line } : {}), ...(result.column !== undefined ? { column: result.column } : {}) };
    switch (result.kind) {
      case 'syntax': {
        const where = result.line === undefined ? '' : ` at line ${result.line}${result.column === undefined ? '' : `, column ${result.column}`}`;
        return { ok: false, status: 400, message: `syntax error${where}: ${result.message}`, ...at };
      }
      case 'not_a_function': {
        const where = result.line === undefined ? '' : ` (line ${result.line})`;
        return { ok: false, status: 400, message: `must be a function expression such as ${FORMS.get(name) ?? 'function (...) { ... }'}; ${result.message}${where}`, ...at };
      }
      case 'unavailable':
        return { ok: false, status: 503, message: result.message };
    }
  }

  /** Checks every script in `scripts` (a create or PATCH body's options.scripts); throws the 400 or 503 the save answers. */
  async function checkScripts(scripts: Record<string, unknown> | undefined): Promise<void> {
    if (!isRecord(scripts)) return;
    for (const [name, source] of Object.entries(scripts)) {
      if (typeof source !== 'string') continue;
      const verdict = await checkScript(name, source);
      if (verdict.ok) continue;
      if (verdict.status === 503) {
        throw new AppError(503, 'sandbox_unavailable', `options.scripts.${name} could not be compiled: ${verdict.message}; nothing was saved, send the request again`);
      }
      throw badRequest(`Payload validation error: options.scripts.${name}: ${verdict.message}`);
    }
  }

  return { checkScript, checkScripts };
}

export type ScriptCheckService = ReturnType<typeof createScriptCheck>;
