/**
 * Rotates the signing keys: the key published as `next` starts signing, the current one is
 * kept for verification, and a new `next` key is published. Running servers pick the change
 * up within KEYS_REFRESH_SECONDS. Usage: npm run rotate-keys (same settings as the server).
 */
import { ConfigError, loadConfig } from '../src/config/load.ts';
import { createSecretBox } from '../src/lib/secrets.ts';
import { currentKid, rotateKeys } from '../src/oidc/keys.ts';
import { openConfiguredStore } from '../src/server.ts';

try {
  const config = loadConfig();
  const store = await openConfiguredStore(config);
  try {
    const set = await rotateKeys(store, createSecretBox(config.secretsKey, config.previousSecretsKeys));
    const summary = set.keys.map((k) => `${k.kid} ${k.status}`).join('\n  ');
    process.stdout.write(`signing keys rotated (version ${set.version}); now signing with ${currentKid(set)}\n  ${summary}\n`);
  } finally {
    await store.close();
  }
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? 'Cannot start: ' : ''}${(err as Error).message}\n`);
  process.exit(1);
}
