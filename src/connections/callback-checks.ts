import type { Request } from 'express';
import { ConnectionError } from './errors.ts';
import type { OAuth2Options } from './options.ts';

/** The shape of the states this server issues; anything else is refused before any lookup. */
const STATE = /^[A-Za-z0-9_-]{20,64}$/;

/** The upstream `state` of a callback, or '' when absent or malformed. */
export function stateOf(req: Request): string {
  const state = req.query['state'];
  return typeof state === 'string' && STATE.test(state) ? state : '';
}

/** The path a callback arrived on (the login's redirect_uri must name the same one). */
export const callbackPath = (req: Request): string => new URL(req.originalUrl, 'http://x').pathname;

/**
 * RFC 9207: when a connection names its provider's `issuer` and the callback carries `iss`,
 * they must agree. A mismatch means another provider answered in this provider's place
 * (a mix-up attack), so the code is never sent to this provider's token endpoint.
 */
export function issuerMismatch(req: Request, connection: string, options: OAuth2Options): ConnectionError | undefined {
  const iss = req.query['iss'];
  if (!options.issuer || iss === undefined) return undefined;
  if (iss === options.issuer) return undefined;
  return new ConnectionError('issuer_mismatch',
    `connection "${connection}": the callback came from issuer ${JSON.stringify(String(iss)).slice(0, 200)}, not ${options.issuer}; the code was not used`);
}

/** An `error` the provider sent back, as the failure the app receives (undefined when there is none). */
export function upstreamError(req: Request, connection: string): ConnectionError | undefined {
  const error = req.query['error'];
  if (typeof error !== 'string') return undefined;
  const description = typeof req.query['error_description'] === 'string' ? req.query['error_description'].slice(0, 500) : '';
  // The standard errors an app understands pass through with the provider's own description.
  const passesThrough = error === 'access_denied' || error === 'temporarily_unavailable';
  const message = passesThrough && description ? description
    : `connection "${connection}": the provider answered ${error.slice(0, 100)}${description ? ` (${description})` : ''}`;
  return new ConnectionError(error === 'temporarily_unavailable' ? 'upstream_unavailable' : 'upstream_error', message, { providerError: error.slice(0, 100) });
}
