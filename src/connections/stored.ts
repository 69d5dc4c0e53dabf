import { badRequest } from '../errors/app-error.ts';
import { isRecord } from '../lib/is-record.ts';
import { isSealed, type SecretBox } from '../lib/secrets.ts';
import type { ConnectionRecord } from '../store/types.ts';

/**
 * Secrets inside stored connection options. The stored form keeps the option keys as they
 * are and replaces each secret value with its sealed form: `client_secret` and every
 * `customHeaders` value. Each is sealed with an AAD naming its connection and field, so a
 * sealed value copied to another connection or header does not open.
 */

/** What the API shows instead of a customHeaders value; sent back, it keeps the stored value. */
export const MASK = '********';

const secretAad = (connectionId: string): string => `connections:${connectionId}:client_secret`;
const headerAad = (connectionId: string, name: string): string => `connections:${connectionId}:customHeaders.${name}`;

/** Seals client_secret and every customHeaders value for storage; a masked header value or an omitted client_secret keeps the value from `previous` (stored form). */
export function sealOptions(connectionId: string, options: Record<string, unknown>, box: SecretBox, previous?: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(options);
  const secret = out['client_secret'];
  if (typeof secret === 'string') {
    out['client_secret'] = box.seal(secret, secretAad(connectionId));
  } else if (secret === undefined && isSealed(previous?.['client_secret'])) {
    out['client_secret'] = previous['client_secret'];
  }
  const headers = out['customHeaders'];
  if (isRecord(headers)) {
    const before = isRecord(previous?.['customHeaders']) ? previous['customHeaders'] : {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === MASK) {
        const kept = before[name];
        if (!isSealed(kept)) {
          // A mask can only stand for a value this connection already has under that exact name.
          throw badRequest(`Payload validation error: options.customHeaders.${name}: the masked value ${MASK} keeps a stored value, but this connection has none for this header; send the real value`);
        }
        headers[name] = kept;
      } else if (typeof value === 'string') {
        headers[name] = box.seal(value, headerAad(connectionId, name));
      }
    }
  }
  return out;
}

/** A copy of stored options with `fn` applied to every sealed field (client_secret, each customHeaders value). */
function mapSealed(connection: ConnectionRecord, fn: (sealed: string, aad: string) => string): Record<string, unknown> {
  const out = structuredClone(connection.options);
  const map = (value: unknown, aad: string, field: string): string => {
    // Everything secret is sealed on the way in; an unsealed value means a writer bypassed sealOptions.
    if (!isSealed(value)) throw new Error(`connection ${connection.id}: options.${field} is not sealed (write options through sealOptions)`);
    return fn(value, aad);
  };
  if (out['client_secret'] !== undefined) {
    out['client_secret'] = map(out['client_secret'], secretAad(connection.id), 'client_secret');
  }
  const headers = out['customHeaders'];
  if (isRecord(headers)) {
    for (const [name, value] of Object.entries(headers)) {
      headers[name] = map(value, headerAad(connection.id, name), `customHeaders.${name}`);
    }
  }
  return out;
}

/** Plaintext options for the login engine (opens the sealed fields). */
export function openOptions(connection: ConnectionRecord, box: SecretBox): Record<string, unknown> {
  return mapSealed(connection, (sealed, aad) => box.open(sealed, aad));
}

/** Stored options with every field not sealed under the current key sealed again (SECRETS_KEY rotation); null when none is. */
export function resealOptions(connection: ConnectionRecord, box: SecretBox): Record<string, unknown> | null {
  let stale = false;
  const options = mapSealed(connection, (sealed, aad) => {
    if (!box.isStale(sealed)) return sealed;
    stale = true;
    return box.seal(box.open(sealed, aad), aad);
  });
  return stale ? options : null;
}

/** Options as the API returns them: no client_secret, customHeaders values masked. */
export function publicOptions(options: Record<string, unknown>): Record<string, unknown> {
  const { client_secret: _secret, ...out } = structuredClone(options);
  const headers = out['customHeaders'];
  if (isRecord(headers)) {
    out['customHeaders'] = Object.fromEntries(Object.keys(headers).map((name) => [name, MASK]));
  }
  return out;
}
