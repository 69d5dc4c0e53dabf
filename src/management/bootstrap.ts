import type { Config } from '../config/load.ts';
import type { Logger } from '../lib/logger.ts';
import { newClientGrantId } from '../lib/ids.ts';
import type { Store } from '../store/types.ts';
import type { ClientService } from './clients/service.ts';
import { managementAudience, MANAGEMENT_SCOPES } from '../lib/management-scopes.ts';

/** Gives `clientId` a grant holding every Management API scope (creating or widening it). */
async function grantAllScopes(store: Store, clientId: string, audience: string): Promise<void> {
  const scope = [...MANAGEMENT_SCOPES];
  const now = new Date().toISOString();
  const existing = await store.clientGrants.find(clientId, audience);
  if (!existing) {
    await store.clientGrants.insert({ id: newClientGrantId(), client_id: clientId, audience, scope, created_at: now, updated_at: now });
  } else if (scope.some((s) => !existing.scope.includes(s))) {
    await store.clientGrants.replace({ ...existing, scope: [...new Set([...existing.scope, ...scope])], updated_at: now });
  }
}

/**
 * Makes sure an administrator can reach the Management API: with ADMIN_CLIENT_ID/SECRET the
 * client is created or brought in line; without them, and with no client holding a
 * Management API grant, one is generated and its credentials printed once.
 */
export async function ensureAdminClient(config: Config, store: Store, clients: ClientService, log: Logger,
  print: (text: string) => void = (t) => process.stdout.write(t)): Promise<void> {
  const audience = managementAudience(config.issuer);
  if (config.ADMIN_CLIENT_ID && config.ADMIN_CLIENT_SECRET) {
    const id = config.ADMIN_CLIENT_ID;
    const existing = await store.clients.get(id);
    if (!existing) {
      await clients.create({ name: 'Management API (ADMIN_CLIENT_ID)', app_type: 'non_interactive' },
        { client_id: id, client_secret: config.ADMIN_CLIENT_SECRET });
      log.info({ client_id: id }, 'admin client created from ADMIN_CLIENT_ID');
    } else if (!clients.secretMatches(existing, config.ADMIN_CLIENT_SECRET)) {
      await clients.rotateSecret(id, config.ADMIN_CLIENT_SECRET);
      log.info({ client_id: id }, 'admin client secret updated from ADMIN_CLIENT_SECRET');
    }
    await grantAllScopes(store, id, audience);
    return;
  }
  const { items } = await store.clientGrants.list({ audience }, { limit: 1 });
  if (items.length) return;
  const { client, secret } = await clients.create({ name: 'Management API (generated)', app_type: 'non_interactive' });
  await grantAllScopes(store, client.client_id, audience);
  log.warn({ client_id: client.client_id }, 'generated an admin client; its secret is printed once on stdout');
  print([
    '',
    '================ Management API credentials (shown once) ================',
    `  client_id:     ${client.client_id}`,
    `  client_secret: ${secret ?? ''}`,
    `  token:         POST ${config.issuer}oauth/token  grant_type=client_credentials audience=${audience}`,
    '  Set ADMIN_CLIENT_ID / ADMIN_CLIENT_SECRET to choose them yourself.',
    '==========================================================================',
    '',
  ].join('\n'));
}
