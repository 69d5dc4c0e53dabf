import { z } from 'zod';
import { parseAllowList } from '../lib/egress-allow.ts';

/**
 * Every setting of the server, with its default and a one-line description. This is the
 * only place a setting is declared; the README's settings table is checked against it
 * (test/config/config.test.ts) and can be printed with `npm run settings`.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z.coerce
    .number({ message: 'expected a whole number' })
    .int({ message: 'expected a whole number' })
    .min(min, { message: `must be at least ${min}` })
    .max(max, { message: `must be at most ${max}` });

/** True for an http:// URL whose host is not this machine (tokens and cookies would cross the network in clear). */
function isRemoteHttp(url: string): boolean {
  if (!url.toLowerCase().startsWith('http:')) return false;
  try {
    return !['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false; // not a URL at all: the ISSUER schema reports that
  }
}

/** 32 bytes as base64 (44 chars) or hex (64 chars). */
const KEY_PATTERN = /^[A-Za-z0-9+/]{43}=?$|^[0-9a-fA-F]{64}$/;
const KEY_FORMAT = 'expected 32 bytes as base64 (44 chars) or hex (64 chars)';

/** Setting name → [schema with default, description]. Defaults are strings, as in the environment. */
export const SETTINGS = {
  NODE_ENV: [z.enum(['development', 'production', 'test']).default('development'),
    '`production` refuses development-only defaults (generated SECRETS_KEY, insecure upstreams, an http:// ISSUER other than localhost).'],
  PORT: [int(0, 65535).default(3000), 'TCP port to listen on (0 picks a free one).'],
  HOST: [z.string().min(1).default('0.0.0.0'), 'Address to listen on.'],
  ISSUER: [z.url({ message: 'expected an absolute http(s) URL' }).optional(),
    'Public base URL, with trailing slash like Auth0. Default `http://localhost:<PORT>/`.'],
  DATA_DIR: [z.string().min(1).default('./data'), 'Folder for the embedded store and the generated development key; created (0700) if missing, its files kept 0600.'],
  STORE: [z.enum(['sqlite', 'mongodb']).default('sqlite'), 'Persistence backend: embedded SQLite or MongoDB.'],
  MONGODB_URI: [z.string().regex(/^mongodb(\+srv)?:\/\//, { message: 'expected a mongodb:// URI' }).optional(),
    'MongoDB connection string; required when STORE=mongodb.'],
  SECRETS_KEY: [z.string().regex(KEY_PATTERN, { message: KEY_FORMAT }).optional(),
    'Key that encrypts secrets at rest (AES-256-GCM). Generated into DATA_DIR in development; required in production. To rotate, see SECRETS_KEY_PREVIOUS.'],
  SECRETS_KEY_PREVIOUS: [z.string().transform((text, ctx) => {
    const keys = text.split(',').map((k) => k.trim()).filter(Boolean);
    keys.forEach((k, i) => {
      if (!KEY_PATTERN.test(k)) ctx.addIssue({ code: 'custom', message: `key ${i + 1} of the list: ${KEY_FORMAT}` });
    });
    return keys;
  }).optional(),
  'Comma-separated earlier values of SECRETS_KEY, still accepted for reading: set the old key here and a new SECRETS_KEY, restart, run `npm run reseal`, then remove it.'],
  ADMIN_CLIENT_ID: [z.string().min(1).max(128).optional(),
    'With ADMIN_CLIENT_SECRET: a machine-to-machine client kept in sync holding every Management API scope.'],
  ADMIN_CLIENT_SECRET: [z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
    'Secret of ADMIN_CLIENT_ID. When both are unset and no admin client exists, one is generated and printed once.'],
  LOG_LEVEL: [z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'), 'Least severe log level written.'],
  TLS_CERT_FILE: [z.string().min(1).optional(), 'PEM certificate; with TLS_KEY_FILE the server speaks https itself.'],
  TLS_KEY_FILE: [z.string().min(1).optional(), 'PEM private key for TLS_CERT_FILE.'],
  TRUST_PROXY: [bool.default(false), 'Trust X-Forwarded-* from one TLS-terminating proxy in front (the client\'s IP is the last X-Forwarded-For entry, the one that proxy added).'],
  METRICS_TOKEN: [z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
    'When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`; when unset, /metrics answers only loopback addresses.'],
  METRICS_ENABLED: [bool.default(true), 'Prometheus metrics, recorded in memory and served at GET /metrics (every worker\'s, whichever answers); `false` records nothing and /metrics answers 404.'],
  ALLOW_INSECURE_UPSTREAMS: [bool.default(false),
    'Development only: allow http:// connection URLs and upstream requests to loopback/private addresses.'],
  EGRESS_ALLOW: [z.string().transform((text, ctx) => {
    try {
      return parseAllowList(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }).optional(),
  'Comma-separated hosts (`idp.corp.internal`, `*.corp.internal`) and IPv4/IPv6 addresses or CIDR ranges (`10.20.0.0/16`, `fd00:1::/64`) '
    + 'that upstream requests may reach although they are loopback, private or special-purpose (checked on the address connected to; https still required). Allowed in production.'],
  MGMT_TOKEN_TTL: [int(60, 2_592_000).default(86_400), 'Lifetime (s) of Management API access tokens.'],
  MGMT_TOKEN_CHECK_SECONDS: [int(0, 30).default(5),
    'How long (s) a process may reuse what it read about a Management API token (client, grant, scopes, blacklist): deleting a client or grant, narrowing scopes or blacklisting a jti takes effect within this bound. 0 reads on every request.'],
  ACCESS_TOKEN_TTL: [int(60, 2_592_000).default(86_400), 'Lifetime (s) of access tokens issued to apps.'],
  ID_TOKEN_TTL: [int(60, 2_592_000).default(36_000), 'Lifetime (s) of id_tokens.'],
  REFRESH_TOKEN_TTL: [int(60, 31_536_000).default(2_592_000), 'Lifetime (s) of refresh tokens (rotated on use).'],
  LOGIN_TTL: [int(60, 86_400).default(600), 'Time (s) a user has to finish an upstream sign-in.'],
  KEYS_REFRESH_SECONDS: [int(1, 86_400).default(60), 'How often (s) a process re-reads the signing keys from the store.'],
  UPSTREAM_TIMEOUT_MS: [int(100, 120_000).default(10_000), 'Timeout of each request to an upstream provider.'],
  UPSTREAM_MAX_BYTES: [int(1024, 50_000_000).default(1_048_576), 'Largest upstream response body accepted.'],
  SCRIPT_TIMEOUT_MS: [int(10, 120_000).default(10_000), 'Wall-time limit of one fetchUserProfile run.'],
  SCRIPT_MEMORY_MB: [int(8, 1024).default(64), 'Memory limit of the sandbox isolate.'],
  SCRIPT_MAX_REQUESTS: [int(0, 100).default(10), 'Outbound requests one fetchUserProfile run may make.'],
  SCRIPT_MAX_RESPONSE_BYTES: [int(1024, 50_000_000).default(1_048_576), 'Largest response a script request may read.'],
  SANDBOX_PROCESSES: [int(1, 16).default(1), 'Sandbox processes per server process; more keeps one runaway script from delaying or failing runs beside it.'],
  LOGS_ENABLED: [bool.default(true),
    'Write tenant log events (logins, token exchanges, logout, Management API writes); `false` drops them at the source (stored events stay readable).'],
  LOGS_RETENTION_DAYS: [int(1, 3650).default(30),
    'Days tenant log events are kept (`GET /api/v2/logs`); older ones are purged hourly. Auth0 keeps 1 to 30 days by plan.'],
  CONSOLE_IDLE_TIMEOUT: [int(60, 86_400).default(1800), 'Seconds of inactivity after which an admin console session ends (<ISSUER>admin/).'],
  CONSOLE_ABSOLUTE_TIMEOUT: [int(300, 604_800).default(28_800), 'Seconds after sign-in at which an admin console session ends however active it is.'],
  RATE_LIMITS: [bool.default(true), 'Rate limits and brute-force guards (the RATE_LIMIT_* settings); `false` turns them all off. Over a limit the answer is 429 with Retry-After.'],
  RATE_LIMIT_WINDOW: [int(1, 86_400).default(60), 'Window (s) of the request limits (/authorize, /login/*, Management API).'],
  RATE_LIMIT_AUTHORIZE: [int(1, 10_000_000).default(1200), 'Requests to /authorize one IP may make per RATE_LIMIT_WINDOW.'],
  RATE_LIMIT_LOGIN: [int(1, 10_000_000).default(1200), 'Requests to /login/* (login pages, upstream callbacks) one IP may make per RATE_LIMIT_WINDOW.'],
  RATE_LIMIT_MANAGEMENT: [int(1, 10_000_000).default(3000),
    'Management API requests one token (its jti) may make per RATE_LIMIT_WINDOW; every answer carries X-RateLimit-Limit/Remaining/Reset.'],
  RATE_LIMIT_FAILURE_WINDOW: [int(1, 86_400).default(900), 'Window (s) of the failure counts (client authentication, refused Management tokens).'],
  RATE_LIMIT_TOKEN_FAILURES: [int(1, 1_000_000).default(20),
    'Failed client authentications on /oauth/token per client_id from one IP per RATE_LIMIT_FAILURE_WINDOW; then that client is refused from that IP only.'],
  RATE_LIMIT_TOKEN_FAILURES_PER_IP: [int(1, 1_000_000).default(100),
    'Failed client authentications on /oauth/token from one IP (any client) per RATE_LIMIT_FAILURE_WINDOW; then /oauth/token refuses that IP.'],
  RATE_LIMIT_MANAGEMENT_AUTH_FAILURES: [int(1, 1_000_000).default(100),
    'Management API requests with a refused token (401) from one IP per RATE_LIMIT_FAILURE_WINDOW; then the Management API refuses that IP.'],
  WORKERS: [z.union([z.literal('auto'), int(1, 64)], { message: 'expected auto or a whole number from 1 to 64' }).default('auto'),
    'Server processes sharing the port (cluster), each with its own sandbox; `auto` = one per CPU core.'],
  WORKER_SEMI_SPACE_MB: [int(0, 256).default(16),
    'V8 young-generation semi-space (MB, `--max-semi-space-size`) of each cluster worker (WORKERS > 1): smaller holds less memory and collects more often; 0 keeps V8\'s default (under the bench\'s load its young generation grew to 64-128 MB a worker). With WORKERS=1 give node the flag yourself.'],
  WORKER_OLD_SPACE_MB: [int(0, 65_536).default(0),
    'V8 old-generation limit (MB, `--max-old-space-size`) of each cluster worker; a worker that needs more is restarted. 0 keeps V8\'s default (set by the machine\'s memory).'],
  WORKER_MALLOC_ARENA_MAX: [int(0, 64).default(0),
    'glibc malloc arenas of each cluster worker (`MALLOC_ARENA_MAX`); 0 keeps glibc\'s default (8 per core).'],
} as const;

type Settings = typeof SETTINGS;
type Shape = { [K in keyof Settings]: Settings[K][0] };

const shape = Object.fromEntries(
  Object.entries(SETTINGS).map(([k, [schema]]) => [k, schema]),
) as unknown as Shape;

/** The environment, validated; not yet resolved (see load.ts). */
export const EnvSchema = z
  .object(shape)
  .superRefine((env, ctx) => {
    if (env.STORE === 'mongodb' && !env.MONGODB_URI) {
      ctx.addIssue({ code: 'custom', path: ['MONGODB_URI'], message: 'required when STORE=mongodb' });
    }
    if (!!env.ADMIN_CLIENT_ID !== !!env.ADMIN_CLIENT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_CLIENT_SECRET'], message: 'ADMIN_CLIENT_ID and ADMIN_CLIENT_SECRET go together' });
    }
    if (!!env.TLS_CERT_FILE !== !!env.TLS_KEY_FILE) {
      ctx.addIssue({ code: 'custom', path: ['TLS_KEY_FILE'], message: 'TLS_CERT_FILE and TLS_KEY_FILE go together' });
    }
    if (env.NODE_ENV === 'production') {
      if (!env.SECRETS_KEY) ctx.addIssue({ code: 'custom', path: ['SECRETS_KEY'], message: 'required when NODE_ENV=production' });
      if (env.ALLOW_INSECURE_UPSTREAMS) {
        ctx.addIssue({ code: 'custom', path: ['ALLOW_INSECURE_UPSTREAMS'], message: 'not allowed when NODE_ENV=production' });
      }
      if (env.ISSUER && isRemoteHttp(env.ISSUER)) {
        ctx.addIssue({ code: 'custom', path: ['ISSUER'], message: 'must be https:// when NODE_ENV=production (only localhost, 127.0.0.1 and [::1] may use http); '
          + 'behind a TLS-terminating proxy use the public https:// URL as ISSUER and set TRUST_PROXY=true' });
      }
    }
    if (env.ISSUER && !/^https?:\/\/[^?#]+$/.test(env.ISSUER)) {
      ctx.addIssue({ code: 'custom', path: ['ISSUER'], message: 'expected an http(s) URL without query or fragment' });
    }
  });

export type Env = z.infer<typeof EnvSchema>;
