import type { RequestHandler } from 'express';
import type { ManagementScope } from '../../lib/management-scopes.ts';
import { managementAuth, principalOf, requireScope } from '../../management/auth.ts';
import type { TokenStanding } from '../../management/token-standing.ts';
import type { OidcHost } from '../../oidc/host.ts';

/**
 * Who may use the try pages, and as whom. Until the console's own sign-in exists this is the
 * Management API's bearer-token check with the scope each page needs; the console swaps in
 * its session guard here (one function, same signature), and nothing else changes.
 */
export type ConsoleGuard = (scope: ManagementScope) => RequestHandler[];

/** A guard that takes a Management API token (Authorization: Bearer) holding `scope`. */
export function managementTokenGuard(host: OidcHost, issuer: string, standing: TokenStanding): ConsoleGuard {
  const auth = managementAuth(host, issuer, standing);
  return (scope) => [auth, requireScope(scope)];
}

/** The client the console acts for on this request (the token's, or later the session's). */
export const consoleActor = principalOf;
