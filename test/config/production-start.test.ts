import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { freePort } from '../support/ports.ts';
import { runScript, spawnServer } from '../support/process.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'prod-start-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const production = (overrides: Record<string, string>): Record<string, string> => ({
  NODE_ENV: 'production', SECRETS_KEY: randomBytes(32).toString('base64'), DATA_DIR: join(root, 'data'), HOST: '127.0.0.1', WORKERS: '1', ...overrides,
});

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('an http:// ISSUER in production', () => {
  test.each(['http://id.example.test/', 'http://10.1.2.3:3000/', 'http://[fd00::1]/', 'http://localhost.example.test/'])('%s is refused, naming ISSUER and TRUST_PROXY', (issuer) => {
    const load = () => loadConfig(production({ ISSUER: issuer }));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/ISSUER: must be https:\/\/ when NODE_ENV=production.*TRUST_PROXY=true/);
  });

  test.each(['http://localhost:3000/', 'http://127.0.0.1:3000/', 'http://[::1]:3000/', 'https://id.example.test/'])('%s is accepted', (issuer) => {
    expect(loadConfig(production({ ISSUER: issuer, TRUST_PROXY: 'true' })).issuer).toBe(issuer);
  });

  test('outside production it is still accepted (development, tests)', () => {
    expect(loadConfig({ DATA_DIR: root, SECRETS_KEY: randomBytes(32).toString('base64'), ISSUER: 'http://id.example.test/' }).issuer)
      .toBe('http://id.example.test/');
  });

  test('the real process refuses to start, with the message on stderr and exit code 2', async () => {
    const { code, output } = await runScript('src/main.ts', production({ ISSUER: 'http://id.example.test/', PORT: String(await freePort()) }));
    expect(code).toBe(2);
    expect(output).toContain('Cannot start');
    expect(output).toMatch(/ISSUER: must be https:\/\/.*TRUST_PROXY=true/);
  });
});

test('production creates a missing DATA_DIR (0700) and keeps the store files 0600', async () => {
  const dataDir = join(root, 'not', 'yet', 'here');
  const port = await freePort();
  const server = await spawnServer(production({ DATA_DIR: dataDir, PORT: String(port), ISSUER: `http://127.0.0.1:${port}/`, LOG_LEVEL: 'info' }));
  try {
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect(await modeOf(dataDir)).toBe(0o700);
    expect(await modeOf(join(root, 'not'))).toBe(0o700);
    const files = (await readdir(dataDir)).sort();
    expect(files).toEqual(['store.sqlite', 'store.sqlite-shm', 'store.sqlite-wal']);
    for (const file of files) expect([file, await modeOf(join(dataDir, file))]).toEqual([file, 0o600]);
  } finally {
    expect(await server.stop()).toBe(0);
  }
});

test('files an earlier version left readable (0644) are narrowed to 0600 at start, the generated dev key included', async () => {
  const dataDir = join(root, 'old');
  const port = await freePort();
  const env = { DATA_DIR: dataDir, PORT: String(port), ISSUER: `http://127.0.0.1:${port}/`, NODE_ENV: 'development', HOST: '127.0.0.1', WORKERS: '1' };
  let server = await spawnServer(env);
  expect(await server.stop()).toBe(0);
  expect(await modeOf(join(dataDir, 'secrets.key'))).toBe(0o600);
  expect(await modeOf(dataDir)).toBe(0o700);
  for (const file of await readdir(dataDir)) chmodSync(join(dataDir, file), 0o644);
  writeFileSync(join(dataDir, 'store.sqlite-wal'), '', { flag: 'a' }); // a leftover -wal too
  chmodSync(join(dataDir, 'store.sqlite-wal'), 0o644);
  server = await spawnServer(env);
  try {
    for (const file of ['secrets.key', 'store.sqlite', 'store.sqlite-wal', 'store.sqlite-shm']) {
      expect([file, await modeOf(join(dataDir, file))]).toEqual([file, 0o600]);
    }
  } finally {
    expect(await server.stop()).toBe(0);
  }
});
