import { rm } from 'node:fs/promises';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { ADMIN_ID, ADMIN_SECRET, clientCredentialsToken, freePort, testEnv } from '../support/server.ts';
import { runScript, spawnServer, type ServerProcess } from '../support/process.ts';

const running: ServerProcess[] = [];
let env: Record<string, string>;
beforeAll(async () => {
  env = await testEnv({ LOG_LEVEL: 'info', KEYS_REFRESH_SECONDS: '1' });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});
afterAll(async () => {
  await rm(env['DATA_DIR']!, { recursive: true, force: true });
});

async function start(overrides: Record<string, string> = {}): Promise<ServerProcess> {
  const p = await spawnServer({ ...env, ...overrides });
  running.push(p);
  return p;
}
const issuerOf = (port: string) => `http://127.0.0.1:${port}/`;
const token = (issuer: string) => clientCredentialsToken(issuer, ADMIN_ID, ADMIN_SECRET, `${issuer}api/v2/`);
const listClients = (issuer: string, bearer: string) =>
  fetch(`${issuer}api/v2/clients`, { headers: { authorization: `Bearer ${bearer}` } });

test('a restart keeps clients and the signing key; SIGTERM exits cleanly', async () => {
  const issuer = issuerOf(env['PORT']!);
  const first = await start();
  const t1 = await token(issuer);
  const created = await fetch(`${issuer}api/v2/clients`, {
    method: 'POST', headers: { authorization: `Bearer ${t1}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'survivor', app_type: 'non_interactive' }),
  });
  const { client_id } = (await created.json()) as { client_id: string };
  expect(await first.stop('SIGTERM')).toBe(0);
  expect(first.output()).toMatch(/shutting down/);
  running.splice(0);

  await start();
  // The token from before the restart still verifies: same key, same issuer.
  const res = await listClients(issuer, t1);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { client_id: string }[]).map((c) => c.client_id)).toContain(client_id);
  const t2 = await token(issuer);
  expect(decodeProtectedHeader(t2).kid).toBe(decodeProtectedHeader(t1).kid);
});

test('two processes on one DATA_DIR accept each other\'s tokens', async () => {
  const portB = String(await freePort());
  // Both serve the same issuer (as behind one load balancer); B listens on another port.
  const issuer = issuerOf(env['PORT']!);
  await start();
  await start({ PORT: portB });
  const fromA = await token(issuer);
  const res = await fetch(`http://127.0.0.1:${portB}/api/v2/clients`, { headers: { authorization: `Bearer ${fromA}` } });
  expect(res.status).toBe(200);
  // B's token endpoint issues for the shared issuer, and A accepts B's token.
  const fromB = await clientCredentialsToken(`http://127.0.0.1:${portB}/`, ADMIN_ID, ADMIN_SECRET, `${issuer}api/v2/`);
  expect((await listClients(issuer, fromB)).status).toBe(200);
});

test('key rotation publishes the new key before it signs and keeps the old one for verification', async () => {
  const issuer = issuerOf(env['PORT']!);
  await start();
  const jwks = async () => ((await (await fetch(`${issuer}.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
  const before = await jwks();
  const t1 = await token(issuer);
  const kid1 = decodeProtectedHeader(t1).kid;
  expect(before[0]).toBe(kid1);
  const next = before[1];

  const rotated = await runScript('scripts/rotate-keys.ts', env);
  expect(rotated.code).toBe(0);
  expect(rotated.output).toMatch(new RegExp(`now signing with ${next}`));
  let after: string[] = before;
  for (let i = 0; i < 40 && after[0] === before[0]; i++) {
    await new Promise((r) => setTimeout(r, 100));
    after = await jwks();
  }
  expect(after[0]).toBe(next);
  expect(after).toContain(kid1);
  expect(after).toHaveLength(3);
  const t2 = await token(issuer);
  expect(decodeProtectedHeader(t2).kid).toBe(next);
  const keys = createRemoteJWKSet(new URL(`${issuer}.well-known/jwks.json`));
  await expect(jwtVerify(t1, keys, { issuer })).resolves.toBeDefined();
  expect((await listClients(issuer, t1)).status).toBe(200);
});

test('a bad setting stops the start with a message naming it', async () => {
  const result = await runScript('src/main.ts', { ...env, PORT: 'eighty', STORE: 'postgres' });
  expect(result.code).toBe(2);
  expect(result.output).toMatch(/PORT: expected a whole number \(got "eighty"\)/);
  expect(result.output).toMatch(/STORE: .*sqlite.*mongodb/);
});

test('WORKERS=2 serves from two processes on one port and stops cleanly', async () => {
  const issuer = issuerOf(env['PORT']!);
  const p = await start({ WORKERS: '2' });
  for (let i = 0; i < 50 && (p.output().match(/"msg":"listening"/g) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  const pids = new Set([...p.output().matchAll(/"pid":(\d+)[^\n]*"msg":"listening"/g)].map((m) => m[1]));
  expect(pids.size).toBe(2);
  const t = await token(issuer);
  expect((await listClients(issuer, t)).status).toBe(200);
  expect(await p.stop('SIGTERM')).toBe(0);
  running.splice(0);
});

test('without ADMIN_CLIENT_ID an admin client is generated, its credentials printed once, and they work', async () => {
  const { ADMIN_CLIENT_ID: _id, ADMIN_CLIENT_SECRET: _secret, ...bare } = await testEnv({ LOG_LEVEL: 'info' });
  try {
    const first = await spawnServer(bare);
    const id = /client_id:\s+(\S+)/.exec(first.output())?.[1];
    const secret = /client_secret:\s+(\S+)/.exec(first.output())?.[1];
    expect(id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(secret).toMatch(/^[A-Za-z0-9]{64}$/);
    // The secret is on stdout once, never inside a JSON log line.
    expect(first.output().split('\n').filter((l) => l.startsWith('{') && l.includes(secret!))).toEqual([]);
    const issuer = bare['ISSUER']!;
    const t = await clientCredentialsToken(issuer, id!, secret!, `${issuer}api/v2/`);
    expect((await listClients(issuer, t)).status).toBe(200);
    expect(await first.stop()).toBe(0);
    const second = await spawnServer(bare);
    expect(second.output()).not.toMatch(/client_secret:/);
    expect(await second.stop()).toBe(0);
  } finally {
    await rm(bare['DATA_DIR']!, { recursive: true, force: true });
  }
});

test('development-only settings are announced in a plain banner at start', async () => {
  const { SECRETS_KEY: _key, ...dev } = await testEnv({ LOG_LEVEL: 'info', ALLOW_INSECURE_UPSTREAMS: 'true' });
  try {
    const p = await spawnServer(dev);
    expect(p.output()).toMatch(/!!! 2 development-only setting\(s\) in force:/);
    expect(p.output()).toMatch(/!!! {3}SECRETS_KEY is unset: generated a development key/);
    expect(p.output()).toMatch(/!!! {3}ALLOW_INSECURE_UPSTREAMS=true/);
    expect(await p.stop()).toBe(0);
  } finally {
    await rm(dev['DATA_DIR']!, { recursive: true, force: true });
  }
});
