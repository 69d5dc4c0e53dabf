import type { LogEvent } from './types.ts';

/**
 * The one sanitizer every log event passes through before it is queued. Log events are
 * read by anyone holding `read:logs`, so nothing secret may reach them, whatever a producer
 * put into `details`:
 * - a key whose words name a credential (secret, token, password, authorization, cookie,
 *   assertion, credential, private key, code, script, ...) keeps its name, its value becomes
 *   `[redacted]`;
 * - a string shaped like a credential wherever it appears (a JWT, `Bearer …`/`Basic …`, a
 *   PEM block) becomes `[redacted]` too, in `details` and in every text field;
 * - size is bounded (depth, keys, array entries, string length), so one event cannot hold
 *   an unbounded amount of memory in the writer's queue.
 */

export const REDACTED = '[redacted]';

/** Words that make a key sensitive anywhere in its name (split at _ - . and camelCase). */
const SECRET_WORDS = new Set([
  'secret', 'secrets', 'token', 'tokens', 'password', 'passwd', 'pwd', 'authorization', 'cookie', 'cookies',
  'assertion', 'credential', 'credentials', 'jwk', 'jwks', 'key', 'keys', 'private', 'apikey', 'otp', 'verifier', 'signature', 'sealed', 'enc',
]);
/** Names that are sensitive as a whole word only (an OAuth `code`, a script's source). */
const SECRET_NAMES = new Set(['code', 'script', 'scripts', 'fetchuserprofile', 'state', 'nonce', 'session', 'sid', 'set-cookie']);

const SHAPES = [
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/, // JWT / JWS
  /\b(?:bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/i, // Authorization header values
  /-----BEGIN [A-Z ]+-----/, // PEM
];

const MAX_DEPTH = 6;
const MAX_KEYS = 50;
const MAX_ITEMS = 50;
const MAX_STRING = 1000;

/** True when a key's name says its value is a credential. */
export function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  if (SECRET_NAMES.has(lower)) return true;
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/);
  return words.some((w) => SECRET_WORDS.has(w)) || SECRET_WORDS.has(lower.replace(/[^a-z0-9]/g, ''));
}

/** A string with credential-shaped content masked and its length bounded. */
function cleanString(value: string): string {
  if (SHAPES.some((shape) => shape.test(value))) return REDACTED;
  return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
}

function cleanValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return cleanString(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value !== 'object') return undefined; // functions, symbols, bigints: not JSON
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((item) => cleanValue(item, depth + 1) ?? null);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value).slice(0, MAX_KEYS)) {
    const clean = isSecretKey(key) ? REDACTED : cleanValue(item, depth + 1);
    if (clean !== undefined) out[key.slice(0, 100)] = clean;
  }
  return out;
}

const TEXT_FIELDS = ['description', 'client_id', 'client_name', 'connection', 'connection_id', 'user_id', 'user_name', 'ip', 'user_agent'] as const;

/** A copy of the event that is safe to store and show (see the module comment). */
export function sanitizeEvent(event: LogEvent): LogEvent {
  const out: LogEvent = { log_id: event.log_id, date: event.date, type: event.type };
  for (const field of TEXT_FIELDS) {
    const value = event[field];
    if (typeof value === 'string') out[field] = cleanString(value).slice(0, 500);
  }
  if (event.details) out.details = cleanValue(event.details, 0) as Record<string, unknown>;
  return out;
}
