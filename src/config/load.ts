import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { ensurePrivateDir, FILE_MODE, restrictFiles } from '../lib/private-files.ts';
import { EnvSchema, SETTINGS, type Env } from './schema.ts';

/** Resolved settings the rest of the program reads (never process.env). */
export interface Config extends Omit<Env, 'WORKERS'> {
  /** WORKERS resolved (`auto` = one per CPU core). */
  WORKERS: number;
  /** ISSUER with its default applied and a trailing slash. */
  issuer: string;
  dataDir: string;
  /** 32-byte key for secrets at rest. */
  secretsKey: Buffer;
  /** SECRETS_KEY_PREVIOUS decoded: keys still accepted for reading sealed values. */
  previousSecretsKeys: Buffer[];
  /** EGRESS_ALLOW normalized (empty when unset). */
  egressAllow: readonly string[];
  /** Development-only defaults in force, to be warned about loudly at start. */
  devWarnings: string[];
}

/** A bad setting: the message names each setting and what is wrong with it. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Validates the environment: pure, no I/O. */
export function parseEnv(env: Record<string, string | undefined>): Env {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(SETTINGS)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const result = EnvSchema.safeParse(picked);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => {
      const key = String(i.path[0] ?? 'settings');
      const shown = key in picked && !/SECRET|KEY|_TOKEN$/.test(key) ? ` (got ${JSON.stringify(picked[key])})` : '';
      return `${key}: ${i.message}${shown}`;
    }));
  }
  return result.data;
}

function decodeKey(text: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
}

/** Reads the development key from DATA_DIR, creating it on first use. */
function developmentKey(dataDir: string, warnings: string[]): Buffer {
  const file = join(dataDir, 'secrets.key');
  try {
    const key = decodeKey(readFileSync(file, 'utf8').trim());
    restrictFiles([file]); // a key an earlier version (or a person) left readable to others
    return key;
  } catch {
    ensurePrivateDir(dataDir);
    const key = randomBytes(32).toString('base64');
    // 'wx' fails if another process created it first; then read theirs.
    try {
      writeFileSync(file, `${key}\n`, { mode: FILE_MODE, flag: 'wx' });
    } catch {
      return decodeKey(readFileSync(file, 'utf8').trim());
    }
    warnings.push(`SECRETS_KEY is unset: generated a development key into ${file}. Set SECRETS_KEY in production.`);
    return decodeKey(key);
  }
}

/** Loads and resolves every setting; throws ConfigError naming each bad one. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = parseEnv(env);
  const devWarnings: string[] = [];
  const dataDir = resolve(parsed.DATA_DIR);
  let secretsKey: Buffer;
  if (parsed.SECRETS_KEY) {
    secretsKey = decodeKey(parsed.SECRETS_KEY);
  } else {
    secretsKey = developmentKey(dataDir, devWarnings);
    if (!devWarnings.length) devWarnings.push(`SECRETS_KEY is unset: using the development key in ${join(dataDir, 'secrets.key')}.`);
  }
  if (parsed.ALLOW_INSECURE_UPSTREAMS) {
    devWarnings.push('ALLOW_INSECURE_UPSTREAMS=true: http:// upstreams and requests to loopback/private addresses are allowed.');
  }
  if (parsed.ISSUER?.startsWith('https:') && !parsed.TLS_CERT_FILE && !parsed.TRUST_PROXY) {
    devWarnings.push('ISSUER is https but this server speaks plain http and ignores X-Forwarded-Proto: behind a TLS proxy set TRUST_PROXY=true (cookies are not marked secure otherwise), or give TLS_CERT_FILE/TLS_KEY_FILE.');
  }
  const scheme = parsed.TLS_CERT_FILE ? 'https' : 'http';
  const base = parsed.ISSUER ?? `${scheme}://localhost:${parsed.PORT}/`;
  const issuer = base.endsWith('/') ? base : `${base}/`;
  const workers = parsed.WORKERS === 'auto' ? availableParallelism() : parsed.WORKERS;
  const previousSecretsKeys = (parsed.SECRETS_KEY_PREVIOUS ?? []).map(decodeKey);
  return { ...parsed, WORKERS: workers, issuer, dataDir, secretsKey, previousSecretsKeys, egressAllow: parsed.EGRESS_ALLOW ?? [], devWarnings };
}
