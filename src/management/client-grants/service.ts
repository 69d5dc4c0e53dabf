import { AppError, conflict } from '../../errors/app-error.ts';
import { newClientGrantId } from '../../lib/ids.ts';
import type { ClientGrantFilter, ClientGrantRecord, ListOptions, ListResult, Store } from '../../store/types.ts';
import type { ClientService } from '../clients/service.ts';
import { orConflict } from '../conflicts.ts';
import { missing } from '../not-found.ts';
import { managementAudience, MANAGEMENT_SCOPES } from '../../lib/management-scopes.ts';
import type { ClientGrantCreate } from './schema.ts';

/** Which client may get which scopes for which audience; Management API scopes are checked by name. */
export function createClientGrantService(store: Store, issuer: string, clients: ClientService) {
  const mgmt = managementAudience(issuer);
  const checkScopes = (audience: string, scope: string[]): void => {
    const unknown = audience === mgmt ? scope.filter((s) => !(MANAGEMENT_SCOPES as readonly string[]).includes(s)) : [];
    if (unknown.length) {
      throw new AppError(400, 'invalid_body', `Payload validation error: scope: unknown Management API scopes: ${unknown.join(', ')}`);
    }
  };
  const get = async (id: string): Promise<ClientGrantRecord> => {
    const found = await store.clientGrants.get(id);
    if (!found) throw missing.clientGrant(id);
    return found;
  };

  return {
    /** Grants `scope` at `audience` to an existing client; 409 when that pair already has a grant. */
    async create(input: ClientGrantCreate): Promise<ClientGrantRecord> {
      checkScopes(input.audience, input.scope);
      await clients.get(input.client_id);
      const now = new Date().toISOString();
      const grant: ClientGrantRecord = { id: newClientGrantId(), ...input, created_at: now, updated_at: now };
      await orConflict(store.clientGrants.insert(grant), () => conflict('A client grant for this client and audience already exists', 'client_grant_conflict'));
      return grant;
    },

    /** One page of grants matching the filter. */
    list: (filter: ClientGrantFilter, options: ListOptions): Promise<ListResult<ClientGrantRecord>> => store.clientGrants.list(filter, options),

    /** Replaces the grant's scopes. */
    async update(id: string, scope: string[]): Promise<ClientGrantRecord> {
      const grant = await get(id);
      checkScopes(grant.audience, scope);
      const next = { ...grant, scope, updated_at: new Date().toISOString() };
      if (!(await store.clientGrants.replace(next))) throw missing.clientGrant(id);
      return next;
    },

    /** Deletes the grant. */
    async delete(id: string): Promise<void> {
      if (!(await store.clientGrants.delete(id))) throw missing.clientGrant(id);
    },
  };
}

export type ClientGrantService = ReturnType<typeof createClientGrantService>;
