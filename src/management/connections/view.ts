import { publicOptions } from '../../connections/stored.ts';
import type { ConnectionRecord } from '../../store/types.ts';

/** A connection as Auth0 returns it: secrets out, header values masked, bookkeeping fields out. */
export function toAuth0Connection(c: ConnectionRecord): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    ...(c.display_name !== undefined ? { display_name: c.display_name } : {}),
    strategy: c.strategy,
    options: publicOptions(c.options),
    enabled_clients: c.enabled_clients,
    realms: c.realms,
    is_domain_connection: c.is_domain_connection,
    show_as_button: c.show_as_button,
    metadata: c.metadata,
  };
}

/** One page of GET /connections/:id/clients: Auth0's `{clients: [{client_id}], next}` with checkpoint paging. */
export function enabledClientsPage(c: ConnectionRecord, from: string | undefined, take: number): Record<string, unknown> {
  const ids = [...c.enabled_clients].sort();
  const rest = from === undefined ? ids : ids.filter((id) => id > from);
  const page = rest.slice(0, take);
  const last = page.at(-1);
  return { clients: page.map((client_id) => ({ client_id })), ...(last && rest.length > take ? { next: last } : {}) };
}
