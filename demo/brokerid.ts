/**
 * Runs brokerid for the demo as its own process (`npm start`'s command) on a temporary embedded
 * store, with loopback upstreams allowed for this process alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface DemoServer {
  child: ChildProcess;
  issuer: string;
  adminId: string;
  adminSecret: string;
  /** Resolves when the process has exited (with its exit code or signal). */
  exited: Promise<string>;
  /** Resolves once it listens; rejects when it exits or hangs first. */
  ready: Promise<void>;
}

/**
 * Starts the server on 127.0.0.1:`port` with DATA_DIR `dataDir`; `echo` receives its output lines.
 * Returns at once, so a stop during start-up still finds the child to end.
 */
export function spawnBrokerid(port: number, dataDir: string, echo: (line: string) => void): DemoServer {
  const issuer = `http://127.0.0.1:${port}/`;
  const adminId = 'demo-admin';
  const adminSecret = randomBytes(24).toString('base64url');
  const child = spawn(process.execPath, ['--no-node-snapshot', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '', NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), ISSUER: issuer,
      DATA_DIR: dataDir, ADMIN_CLIENT_ID: adminId, ADMIN_CLIENT_SECRET: adminSecret, WORKERS: '1', LOG_LEVEL: 'info',
      // The example provider listens on loopback: allowed here, for the demo's server only.
      ALLOW_INSECURE_UPSTREAMS: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
  const ready = new Promise<void>((resolve, reject) => {
    let listening = false;
    const timer = setTimeout(() => reject(new Error(`brokerid did not start in ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const onLine = (line: string) => {
      if (!listening && line.includes('"msg":"listening"')) {
        listening = true;
        clearTimeout(timer);
        resolve();
      }
      // Info logs are for finding "listening"; the plain banner already says what the dev-setting warnings say.
      if (line.trim() && !/"level":(20|30)\b|"msg":"DEVELOPMENT SETTING/.test(line)) echo(line);
    };
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`brokerid exited (${how}) before listening`));
    });
  });
  return { child, issuer, adminId, adminSecret, exited, ready };
}
