import { join } from 'node:path';
import type { Config } from './config/load.ts';
import type { Logger } from './lib/logger.ts';
import { createSecretBox } from './lib/secrets.ts';
import { ensureAdminClient } from './management/bootstrap.ts';
import { createClientService } from './management/clients/service.ts';
import { ensureKeySet } from './oidc/keys.ts';
import { openStore } from './store/open.ts';
import type { Store, StoreMetrics } from './store/types.ts';

/**
 * What every server process shares, made once before any serves. Kept apart from server.ts
 * so the cluster primary, which runs only this, never loads the HTTP stack (express,
 * oidc-provider, the sandbox client): a process keeps every module it ever imported.
 */

/** Opens the configured store (the embedded one lives in DATA_DIR). */
export function openConfiguredStore(config: Config, metrics?: StoreMetrics): Promise<Store> {
  return config.STORE === 'mongodb'
    ? openStore({ kind: 'mongodb', uri: config.MONGODB_URI ?? '', ...(metrics ? { metrics } : {}) })
    : openStore({ kind: 'sqlite', file: join(config.dataDir, 'store.sqlite'), ...(metrics ? { metrics } : {}) });
}

/** Ensures the admin client exists and matches ADMIN_CLIENT_ID/SECRET. */
export async function prepareStore(config: Config, store: Store, log: Logger): Promise<void> {
  const box = createSecretBox(config.secretsKey, config.previousSecretsKeys);
  await ensureAdminClient(config, store, createClientService(store, box), log);
}

/** Signing keys and the admin client, made once so that workers never race to create them. */
export async function prepareShared(config: Config, log: Logger): Promise<void> {
  const store = await openConfiguredStore(config);
  try {
    await ensureKeySet(store, createSecretBox(config.secretsKey, config.previousSecretsKeys));
    await prepareStore(config, store, log);
  } finally {
    await store.close();
  }
}
