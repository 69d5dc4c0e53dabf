import { FifoCache } from '../lib/fifo-cache.ts';
import type { SecretBox } from '../lib/secrets.ts';
import type { ConnectionRecord } from '../store/types.ts';
import { ConnectionError } from './errors.ts';
import { resolveOptions, type EngineOptions } from './engine-options.ts';
import { oauth2OptionsSchema, type UrlPolicy } from './options.ts';
import { openOptions } from './stored.ts';

/**
 * Opened, validated and fully defaulted options per connection version: decrypting and re-validating on
 * every login would cost more than the rest of the login's own work. A new version (any
 * PATCH) is a new entry; the oldest entries go first.
 */
export function createOptionsCache(box: SecretBox, policy: UrlPolicy) {
  const schema = oauth2OptionsSchema(policy);
  const cache = new FifoCache<string, EngineOptions>(1000);
  return (connection: ConnectionRecord): EngineOptions => {
    const key = `${connection.id}:${connection.version}`;
    const hit = cache.get(key);
    if (hit) return hit;
    if (connection.strategy !== 'oauth2') {
      throw new ConnectionError('unsupported_strategy', `connection "${connection.name}" uses strategy "${connection.strategy}"; only oauth2 can sign users in here`);
    }
    let opened: Record<string, unknown>;
    try {
      opened = openOptions(connection, box);
    } catch {
      throw new ConnectionError('unreadable_secrets', `connection "${connection.name}": its stored secrets cannot be decrypted (was SECRETS_KEY changed?); set client_secret and customHeaders again with PATCH /api/v2/connections/${connection.id}`);
    }
    const parsed = schema.safeParse(opened);
    if (!parsed.success) {
      throw new ConnectionError('invalid_options', `connection "${connection.name}" has invalid options (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}); fix them with PATCH /api/v2/connections/${connection.id}`);
    }
    const resolved = resolveOptions(parsed.data);
    cache.set(key, resolved);
    return resolved;
  };
}
