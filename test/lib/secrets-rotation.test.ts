import { createCipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/load.ts';
import { createSecretBox, deriveKey, isSealed, keyId, SecretOpenError } from '../../src/lib/secrets.ts';

const [oldKey, newKey, otherKey] = [randomBytes(32), randomBytes(32), randomBytes(32)];
const AAD = 'clients:abc:client_secret';

/** A value sealed the way versions before key ids did (`enc1.<iv>.<body>.<tag>`). */
function legacySeal(master: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', createSecretKey(deriveKey(master, 'secrets-at-rest')), iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['enc1', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

test('a sealed value names its key; the box opens values of the current and every previous key and seals under the current one', () => {
  const before = createSecretBox(oldKey).seal('s3cret', AAD);
  expect(before.split('.').slice(0, 2)).toEqual(['enc2', keyId(oldKey)]);
  expect(before).not.toContain(oldKey.toString('base64url').slice(0, 8));
  const rotated = createSecretBox(newKey, [otherKey, oldKey]);
  expect(rotated.open(before, AAD)).toBe('s3cret');
  expect(rotated.isStale(before)).toBe(true);
  const after = rotated.seal('s3cret', AAD);
  expect(after.split('.')[1]).toBe(keyId(newKey));
  expect(rotated.isStale(after)).toBe(false);
  expect(createSecretBox(newKey).open(after, AAD)).toBe('s3cret');
});

test('a value sealed before key ids opens under the key that sealed it, current or previous, and counts as stale', () => {
  const legacy = legacySeal(oldKey, 'from v1', AAD);
  expect(isSealed(legacy)).toBe(true);
  expect(createSecretBox(oldKey).open(legacy, AAD)).toBe('from v1');
  const rotated = createSecretBox(newKey, [oldKey]);
  expect(rotated.open(legacy, AAD)).toBe('from v1');
  expect(rotated.isStale(legacy)).toBe(true);
  expect(() => createSecretBox(newKey).open(legacy, AAD)).toThrow(/wrong SECRETS_KEY or tampered/);
  expect(() => rotated.open(legacy, 'clients:other:client_secret')).toThrow(SecretOpenError);
});

test('a value under an unknown key says which setting to fix; a tampered one says so', () => {
  const sealed = createSecretBox(oldKey).seal('s3cret', AAD);
  const err = (() => {
    try {
      createSecretBox(newKey, [otherKey]).open(sealed, AAD);
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  expect(err).toBeInstanceOf(SecretOpenError);
  expect(err).toMatchObject({ code: 'secret_unknown_key' });
  expect((err as Error).message).toMatch(new RegExp(`key id ${keyId(oldKey)}.*SECRETS_KEY_PREVIOUS`));
  expect((err as Error).message).not.toContain('s3cret');
  const parts = sealed.split('.');
  parts[3] = Buffer.from('tampered').toString('base64url');
  expect(() => createSecretBox(oldKey).open(parts.join('.'), AAD)).toThrow(expect.objectContaining({ code: 'secret_tampered' }));
});

test('SECRETS_KEY_PREVIOUS is a comma-separated list of keys; a bad entry is named without echoing keys', () => {
  const env = { NODE_ENV: 'test', DATA_DIR: '/nonexistent-never-used', SECRETS_KEY: newKey.toString('base64') };
  const config = loadConfig({ ...env, SECRETS_KEY_PREVIOUS: ` ${oldKey.toString('base64')}, ${otherKey.toString('hex')} ` });
  expect(config.previousSecretsKeys.map((k) => k.toString('hex'))).toEqual([oldKey.toString('hex'), otherKey.toString('hex')]);
  expect(loadConfig(env).previousSecretsKeys).toEqual([]);
  expect(() => loadConfig({ ...env, SECRETS_KEY_PREVIOUS: `${oldKey.toString('base64')},not-a-key` }))
    .toThrow(/SECRETS_KEY_PREVIOUS: key 2 of the list: expected 32 bytes/);
  expect(() => loadConfig({ ...env, SECRETS_KEY_PREVIOUS: 'not-a-key' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('not-a-key') }));
});
