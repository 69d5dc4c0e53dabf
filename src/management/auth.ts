import type { NextFunction, Request, Response } from 'express';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '../errors/app-error.ts';
import type { OidcHost } from '../oidc/host.ts';
import { managementAudience, type ManagementScope } from '../lib/management-scopes.ts';
import type { Standing, TokenStanding } from './token-standing.ts';

/** What a verified Management API token grants, kept on `res.locals.mgmt`. */
export interface ManagementPrincipal {
  clientId: string;
  scopes: Set<string>;
}

const unauthorized = (message: string): AppError => new AppError(401, 'invalid_token', message);

/**
 * Verifies the bearer token of every Management API call: our signature, issuer, the
 * `<ISSUER>api/v2/` audience and expiry (keys come from the live key set, no HTTP), then its
 * standing: client and grant still there, scopes cut to what the grant still holds, not revoked.
 */
export function managementAuth(host: OidcHost, issuer: string, standing: TokenStanding) {
  const audience = managementAudience(issuer);
  let cachedFor: unknown;
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined;
  const keys = () => {
    const current = host.publicKeys();
    if (current !== cachedFor || !keySet) {
      keySet = createLocalJWKSet({ keys: current as unknown as Parameters<typeof createLocalJWKSet>[0]['keys'] });
      cachedFor = current;
    }
    return keySet;
  };

  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    if (!header) return next(unauthorized('Missing authentication: send Authorization: Bearer <token>'));
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) return next(unauthorized('Bad HTTP authentication header format: expected Bearer <token>'));
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], keys(), { issuer, audience, algorithms: ['RS256'] }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      const why = code === 'ERR_JWT_EXPIRED' ? 'Expired token' : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED'
        ? `Invalid token: ${(err as Error).message} (the audience must be ${audience})` : 'Invalid token';
      return next(unauthorized(why));
    }
    // Only machine tokens (client credentials) may manage: never a token that stands for a user.
    if (payload['gty'] !== 'client-credentials' || typeof payload.sub !== 'string' || !payload.sub.endsWith('@clients')) {
      return next(unauthorized('Invalid token: the Management API takes client-credentials tokens only'));
    }
    if (typeof payload.jti !== 'string' || !payload.jti) return next(unauthorized('Invalid token: it has no jti'));
    const scopes = new Set(typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : []);
    const clientId = typeof payload['azp'] === 'string' ? payload['azp'] : payload.sub.slice(0, -'@clients'.length);
    let verdict: Standing;
    try {
      verdict = await standing.check({ clientId, jti: payload.jti, scopes });
    } catch (err) {
      return next(err);
    }
    if (!verdict.ok) return next(unauthorized(verdict.message));
    res.locals['mgmt'] = { clientId, scopes: verdict.scopes } satisfies ManagementPrincipal;
    next();
  };
}

/** Rejects with 403 unless the token holds `scope`. */
export function requireScope(scope: ManagementScope) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const principal = res.locals['mgmt'] as ManagementPrincipal | undefined;
    if (!principal?.scopes.has(scope)) {
      return next(new AppError(403, 'insufficient_scope', `Insufficient scope, expected any of: ${scope}`));
    }
    next();
  };
}

/** The principal of the current request (after managementAuth). */
export const principalOf = (res: Response): ManagementPrincipal => res.locals['mgmt'] as ManagementPrincipal;
