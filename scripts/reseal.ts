/**
 * Re-seals every secret at rest under the current SECRETS_KEY, while servers keep running.
 * Rotation: set the new key as SECRETS_KEY and the old one in SECRETS_KEY_PREVIOUS, restart
 * the servers, run `npm run reseal` (same settings as the server), then drop the old key from
 * SECRETS_KEY_PREVIOUS and restart again.
 */
import { ConfigError, loadConfig } from '../src/config/load.ts';
import { createSecretBox, keyId } from '../src/lib/secrets.ts';
import { resealAll } from '../src/management/reseal.ts';
import { openConfiguredStore } from '../src/server.ts';

try {
  const config = loadConfig();
  const store = await openConfiguredStore(config);
  try {
    const report = await resealAll(store, createSecretBox(config.secretsKey, config.previousSecretsKeys));
    process.stdout.write(`re-sealed under key id ${keyId(config.secretsKey)}: key set ${report.keySet}, clients ${report.clients}, `
      + `connections ${report.connections}, identities ${report.identities}\n`);
  } finally {
    await store.close();
  }
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? 'Cannot start: ' : 'reseal failed: '}${(err as Error).message}\n`);
  process.exit(1);
}
