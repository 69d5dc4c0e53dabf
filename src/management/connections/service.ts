import { sealOptions } from '../../connections/stored.ts';
import { badRequest, conflict } from '../../errors/app-error.ts';
import { newConnectionId } from '../../lib/ids.ts';
import { deleteUser } from '../../users/delete.ts';
import type { SecretBox } from '../../lib/secrets.ts';
import type { LogSink } from '../../logs/types.ts';
import type { ConnectionFilter, ConnectionRecord, ListOptions, ListResult, Store } from '../../store/types.ts';
import { orConflict } from '../conflicts.ts';
import { missing } from '../not-found.ts';
import type { ConnectionCreate, ConnectionUpdate } from './schema.ts';
import type { ScriptCheckService } from './scripts.ts';

/**
 * Creating, changing and deleting connections; the record is built here, the router only
 * shapes HTTP. Every script in a saved options object is compiled in the sandbox first.
 */
export function createConnectionService(store: Store, box: SecretBox, logs: LogSink, scripts: ScriptCheckService) {
  /** Rejects unless every id is a client (the message names the missing ones). */
  const checkClients = async (ids: string[], field: string): Promise<void> => {
    const found = await Promise.all(ids.map((id) => store.clients.get(id)));
    const missing = ids.filter((_, i) => !found[i]);
    if (missing.length) {
      throw badRequest(`Payload validation error: ${field}: no client has client_id ${missing.map((m) => JSON.stringify(m)).join(', ')}`);
    }
  };
  const unique = (ids: string[]): string[] => [...new Set(ids)];
  const replace = async (next: ConnectionRecord): Promise<ConnectionRecord> => {
    const replaced = await orConflict(store.connections.replace(next),
      () => conflict(`connection ${next.id} was changed by another request meanwhile; read it again and retry`, 'version_conflict'));
    if (!replaced) throw missing.connection(next.id);
    return next;
  };

  const get = async (id: string): Promise<ConnectionRecord> => {
    const found = await store.connections.get(id);
    if (!found) throw missing.connection(id);
    return found;
  };

  return {
    checkClients,

    /** The verdict on one script before it is saved (the admin console's script editor). */
    checkScript: scripts.checkScript,

    /** The connection with this id; 404 when there is none. */
    get,

    /** One page of connections matching the filter. */
    list: (filter: ConnectionFilter, options: ListOptions): Promise<ListResult<ConnectionRecord>> => store.connections.list(filter, options),

    /** Creates a connection; 409 when the name is taken, 400 for a script that cannot run, 503 when the sandbox cannot check it. */
    async create(input: ConnectionCreate): Promise<ConnectionRecord> {
      const enabled = unique(input.enabled_clients ?? []);
      await checkClients(enabled, 'enabled_clients');
      await scripts.checkScripts(input.options.scripts);
      const id = newConnectionId();
      const now = new Date().toISOString();
      const record: ConnectionRecord = {
        id,
        name: input.name,
        ...(input.display_name !== undefined ? { display_name: input.display_name } : {}),
        strategy: input.strategy,
        options: sealOptions(id, input.options, box),
        enabled_clients: enabled,
        realms: input.realms?.length ? input.realms : [input.name],
        is_domain_connection: input.is_domain_connection ?? false,
        show_as_button: input.show_as_button ?? true,
        metadata: input.metadata ?? {},
        version: 1,
        created_at: now,
        updated_at: now,
      };
      await orConflict(store.connections.insert(record), () => conflict('A connection with the same name already exists', 'connection_conflicts'));
      return record;
    },

    /**
     * Auth0's PATCH: each given field replaces the stored one; `options` replaces the whole
     * options object. Unlike Auth0, an omitted client_secret and an omitted display_name keep
     * the stored values (`removeSecret` drops the secret, `display_name: null` the name).
     */
    async update(id: string, patch: ConnectionUpdate, removeSecret: boolean): Promise<ConnectionRecord> {
      const current = await get(id);
      if (patch.enabled_clients) await checkClients(unique(patch.enabled_clients), 'enabled_clients');
      if (patch.options) await scripts.checkScripts(patch.options.scripts);
      const next: ConnectionRecord = { ...current, version: current.version + 1, updated_at: new Date().toISOString() };
      if (patch.display_name === null) delete next.display_name;
      else if (patch.display_name !== undefined) next.display_name = patch.display_name;
      if (patch.options) {
        const previous = removeSecret ? withoutSecret(current.options) : current.options;
        next.options = sealOptions(id, patch.options, box, previous);
      }
      if (patch.enabled_clients) next.enabled_clients = unique(patch.enabled_clients);
      if (patch.realms) next.realms = patch.realms.length ? patch.realms : [current.name];
      if (patch.is_domain_connection !== undefined) next.is_domain_connection = patch.is_domain_connection;
      if (patch.show_as_button !== undefined) next.show_as_button = patch.show_as_button;
      if (patch.metadata) next.metadata = patch.metadata;
      return replace(next);
    },

    /** Enables (status true) or disables (false) clients; unknown client ids are refused. */
    async setClients(id: string, changes: { client_id: string; status: boolean }[]): Promise<void> {
      const current = await get(id);
      await checkClients(changes.map((c) => c.client_id), 'client_id');
      const enabled = new Set(current.enabled_clients);
      for (const change of changes) {
        if (change.status) enabled.add(change.client_id);
        else enabled.delete(change.client_id);
      }
      await replace({ ...current, enabled_clients: [...enabled], version: current.version + 1, updated_at: new Date().toISOString() });
    },

    /** Deletes the connection, the logins in progress through it, and the users that only it knows. */
    async delete(id: string): Promise<void> {
      const current = await get(id);
      // Dependents first: a failure part-way leaves the connection in place, so the same
      // DELETE can be sent again and finishes the job (removing the record first would leave
      // its users behind, out of this route's reach: a retry would answer 404).
      await store.transactions.deleteByConnection(id);
      await deleteUsersOf(store, logs, current.name);
      if (!(await store.connections.delete(id))) throw missing.connection(id);
      // A login that finished while the users were being deleted: swept once more, now that no new one can start.
      await deleteUsersOf(store, logs, current.name);
    },
  };
}

export type ConnectionService = ReturnType<typeof createConnectionService>;

function withoutSecret(options: Record<string, unknown>): Record<string, unknown> {
  const { client_secret: _removed, ...rest } = options;
  return rest;
}

/**
 * Deletes the users whose every identity is at this connection, as Auth0 does: a new
 * connection reusing the name (maybe another provider) must not inherit these accounts.
 */
async function deleteUsersOf(store: Store, logs: LogSink, connection: string): Promise<void> {
  let afterId: string | undefined;
  for (;;) {
    const { items } = await store.users.list({ connection }, { limit: 100, ...(afterId ? { afterId } : {}) });
    for (const user of items) {
      if (user.identities.every((i) => i.connection === connection)) await deleteUser(store, logs, user, { reason: `its connection ${connection} was deleted` });
    }
    const last = items.at(-1);
    if (!last || items.length < 100) return;
    afterId = last.user_id;
  }
}
