import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseEnv } from '../../src/config/load.ts';
import { settingsTable } from '../../src/config/table.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cfg-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('defaults: port 3000, issuer with trailing slash, sqlite store, generated dev key with a warning', async () => {
  const config = loadConfig({ DATA_DIR: dir });
  expect(config.PORT).toBe(3000);
  expect(config.issuer).toBe('http://localhost:3000/');
  expect(config.STORE).toBe('sqlite');
  expect(config.secretsKey).toHaveLength(32);
  expect(config.devWarnings.join('\n')).toMatch(/SECRETS_KEY is unset: generated a development key/);
  expect((await stat(join(dir, 'secrets.key'))).mode & 0o777).toBe(0o600);
  // The second start reuses the same key.
  const again = loadConfig({ DATA_DIR: dir });
  expect(again.secretsKey.equals(config.secretsKey)).toBe(true);
  expect((await readFile(join(dir, 'secrets.key'), 'utf8')).trim()).toBe(config.secretsKey.toString('base64'));
});

test('ISSUER gets its trailing slash; https when TLS files are set', () => {
  expect(loadConfig({ DATA_DIR: dir, ISSUER: 'https://id.example.com' }).issuer).toBe('https://id.example.com/');
  expect(loadConfig({ DATA_DIR: dir, PORT: '8443', TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem' }).issuer).toBe('https://localhost:8443/');
});

test.each([
  [{ PORT: '70000' }, /PORT: must be at most 65535/],
  [{ PORT: 'abc' }, /PORT: expected a whole number \(got "abc"\)/],
  [{ STORE: 'mongodb' }, /MONGODB_URI: required when STORE=mongodb/],
  [{ MONGODB_URI: 'postgres://x' }, /MONGODB_URI: expected a mongodb:\/\/ URI/],
  [{ SECRETS_KEY: 'short' }, /SECRETS_KEY: expected 32 bytes/],
  [{ ADMIN_CLIENT_ID: 'admin' }, /ADMIN_CLIENT_ID and ADMIN_CLIENT_SECRET go together/],
  [{ NODE_ENV: 'production' }, /SECRETS_KEY: required when NODE_ENV=production/],
  [{ NODE_ENV: 'production', SECRETS_KEY: 'a'.repeat(64), ALLOW_INSECURE_UPSTREAMS: 'true' }, /ALLOW_INSECURE_UPSTREAMS: not allowed/],
  [{ TRUST_PROXY: 'maybe' }, /TRUST_PROXY: expected true or false/],
  [{ ISSUER: 'ftp://x/' }, /ISSUER/],
  [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
])('a bad setting is refused with a message naming it: %j', (env, message) => {
  expect(() => parseEnv(env)).toThrow(ConfigError);
  expect(() => parseEnv(env)).toThrow(message);
});

test('secret values are never echoed in errors', () => {
  try {
    parseEnv({ SECRETS_KEY: 'my-precious-secret', ADMIN_CLIENT_ID: 'x', ADMIN_CLIENT_SECRET: 'tiny', METRICS_TOKEN: 'short-token' });
    throw new Error('expected a ConfigError');
  } catch (err) {
    expect((err as Error).message).toMatch(/METRICS_TOKEN: must be at least 16 characters/);
    expect((err as Error).message).not.toMatch(/my-precious-secret|tiny|short-token/);
  }
});

test('the README settings table is the one generated from the schema', async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  expect(readme).toContain(settingsTable());
});
