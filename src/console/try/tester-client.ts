import { TRY_CLIENT_ID } from '../../connections/dry-run.ts';
import type { ClientService } from '../../management/clients/service.ts';
import { StoreConflictError, type Store } from '../../store/types.ts';

/**
 * The built-in tester client that tries sign in as. It is a real client (listed by the
 * Management API, marked in client_metadata) rather than a hidden one, so nothing about it
 * is special but its id: the broker lets its logins through only as console tries.
 */

/** Where a try's authorization request says it returns (a try never gets there: the report comes first). */
export const testerCallback = (issuer: string): string => `${issuer}admin/connections/try/callback`;

/** Creates the tester client on first use (and follows an issuer change). */
export async function ensureTesterClient(store: Store, clients: ClientService, issuer: string): Promise<void> {
  const callback = testerCallback(issuer);
  const existing = await store.clients.get(TRY_CLIENT_ID);
  if (existing) {
    if (!existing.callbacks.includes(callback)) await clients.update(TRY_CLIENT_ID, { callbacks: [callback] });
    return;
  }
  try {
    await clients.create({
      name: 'Connection tester (built-in)', description: 'Runs "Try connection" from the admin console; signs no one in.',
      app_type: 'spa', token_endpoint_auth_method: 'none', require_pkce: true, is_first_party: true,
      grant_types: ['authorization_code'], callbacks: [callback], client_metadata: { brokerid_builtin: 'connection_tester' },
    }, { client_id: TRY_CLIENT_ID, client_secret: '' });
  } catch (err) {
    if (!(err instanceof StoreConflictError)) throw err; // another request created it first
  }
}
