import type { Request } from 'express';
import { managementAudience } from '../lib/management-scopes.ts';
import { requestFields, type LogSink } from '../logs/index.ts';
import type { ManagementServices } from '../management/services.ts';
import type { ConsoleSession } from './session.ts';

/** Why a sign-in was refused; the page shows one sentence for all of them (no account probing). */
export type SignInFailure = 'missing_credentials' | 'unknown_client' | 'wrong_secret' | 'not_confidential' | 'no_client_credentials' | 'no_management_grant';

export type SignInResult = { ok: true; who: Pick<ConsoleSession, 'clientId' | 'clientName' | 'scopes'> } | { ok: false; reason: SignInFailure };

/**
 * Checks a Management API client's credentials with the rules /oauth/token applies to a
 * client-credentials request for `<ISSUER>api/v2/`: the client service's secret check, a
 * confidential client allowed the client_credentials grant, and a grant for that audience,
 * whose scopes become the console's permissions.
 */
export async function verifyConsoleClient(services: ManagementServices, issuer: string, clientId: string, secret: string): Promise<SignInResult> {
  if (!clientId || !secret) return { ok: false, reason: 'missing_credentials' };
  const client = await services.clients.get(clientId).catch(() => undefined);
  if (!client) return { ok: false, reason: 'unknown_client' };
  if (client.token_endpoint_auth_method === 'none') return { ok: false, reason: 'not_confidential' };
  if (!services.clients.secretMatches(client, secret)) return { ok: false, reason: 'wrong_secret' };
  if (!client.grant_types.includes('client_credentials')) return { ok: false, reason: 'no_client_credentials' };
  const scopes = await grantedScopes(services, issuer, clientId);
  if (!scopes) return { ok: false, reason: 'no_management_grant' };
  return { ok: true, who: { clientId, clientName: client.name, scopes } };
}

/**
 * The scopes the client's Management API grant holds now, or undefined when the client or
 * its grant is gone. Read on every console request, so a narrowed or revoked grant takes
 * effect at once rather than when the session times out.
 */
export async function grantedScopes(services: ManagementServices, issuer: string, clientId: string): Promise<string[] | undefined> {
  const { items } = await services.clientGrants.list({ client_id: clientId, audience: managementAudience(issuer) }, { limit: 1 });
  const grant = items[0];
  if (!grant) return undefined;
  // A deleted client loses its grants too, but the two deletes are separate writes.
  return (await services.clients.get(clientId).catch(() => undefined)) ? grant.scope : undefined;
}

/**
 * Logs a console sign-in as the client authentication it is: `seccft`/`feccft` (Auth0's
 * client-credentials exchange events) with `details.channel: "console"`. Never the secret.
 */
export function logSignIn(sink: LogSink, req: Request, clientId: string, result: SignInResult): void {
  sink.emit({
    type: result.ok ? 'seccft' : 'feccft',
    description: result.ok ? 'Console sign-in' : `Console sign-in failed: ${result.reason}`,
    ...(clientId ? { client_id: clientId.slice(0, 128) } : {}),
    ...(result.ok ? { client_name: result.who.clientName } : {}),
    ...requestFields(req),
    details: { channel: 'console', ...(result.ok ? { scopes: result.who.scopes.length } : { reason: result.reason }) },
  });
}
