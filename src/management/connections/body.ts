import { badRequest } from '../../errors/app-error.ts';
import { isRecord } from '../../lib/is-record.ts';
import { SUPPORTED_STRATEGIES } from './schema.ts';

/**
 * Refuses an unsupported strategy before anything else, so the answer is that one sentence
 * rather than a list of oauth2 option problems that do not apply.
 */
export function checkStrategy(body: unknown): void {
  const strategy = isRecord(body) ? body['strategy'] : undefined;
  if (typeof strategy === 'string' && !(SUPPORTED_STRATEGIES as readonly string[]).includes(strategy)) {
    throw badRequest(`Payload validation error: strategy: "${strategy.slice(0, 64)}" is not supported; only "oauth2" is supported by this server (custom social connections)`);
  }
}

/**
 * `options.client_secret: null` asks to remove the stored secret (omitting it keeps it).
 * Returns the body without that null, ready for the schema, and whether removal was asked.
 */
export function takeSecretRemoval(body: unknown): { body: unknown; removeSecret: boolean } {
  if (!isRecord(body) || !isRecord(body['options']) || body['options']['client_secret'] !== null) return { body, removeSecret: false };
  const { client_secret: _null, ...options } = body['options'];
  return { body: { ...body, options }, removeSecret: true };
}

/** PATCH cannot rename a connection or change its strategy: say so rather than "additional property". */
export function checkImmutable(body: unknown): void {
  if (!isRecord(body)) return;
  if ('name' in body) throw badRequest('Payload validation error: name: a connection\'s name never changes; create a new connection to use another name');
  if ('strategy' in body) throw badRequest('Payload validation error: strategy: a connection\'s strategy never changes');
}
