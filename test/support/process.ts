import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends a signal and resolves the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartedProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** Runs this Node with `args` in the project root; resolves once its output contains `ready` (rejects if it exits or times out first). */
export async function spawnUntil(args: string[], env: Record<string, string>, ready: string,
  options: { timeoutMs?: number; detached?: boolean } = {}): Promise<StartedProcess> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const child = spawn(process.execPath, args, {
    cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false,
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} was not ready in ${timeoutMs / 1000} s:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code} before it was ready:\n${out}`));
    });
  });
  return { child, output: () => out, exited };
}

/** Runs `npm start`'s command (src/main.ts on this Node) as a real OS process; resolves once it listens. */
export async function spawnServer(env: Record<string, string>, script = 'src/main.ts'): Promise<ServerProcess> {
  const { child, output, exited } = await spawnUntil(['--no-node-snapshot', script], { LOG_LEVEL: 'info', ...env }, '"msg":"listening"');
  return {
    child,
    output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** Runs a script to completion; resolves its exit code and output. */
export async function runScript(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--no-node-snapshot', script], {
    cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}
