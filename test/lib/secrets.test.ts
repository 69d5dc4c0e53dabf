import { randomBytes } from 'node:crypto';
import { createSecretBox, isSealed, SecretOpenError } from '../../src/lib/secrets.ts';

const box = createSecretBox(randomBytes(32));

test('seal/open round trip; the sealed form reveals nothing and differs each time', () => {
  const a = box.seal('top secret', 'clients:abc:client_secret');
  const b = box.seal('top secret', 'clients:abc:client_secret');
  expect(a).not.toBe(b);
  expect(a).not.toContain('top secret');
  expect(isSealed(a)).toBe(true);
  expect(box.open(a, 'clients:abc:client_secret')).toBe('top secret');
});

test('a value moved to another record or field, tampered with, or opened with another key fails', () => {
  const sealed = box.seal('s3cret', 'connections:con_1:client_secret');
  expect(() => box.open(sealed, 'connections:con_2:client_secret')).toThrow(SecretOpenError);
  expect(() => box.open(sealed, 'connections:con_1:customHeaders')).toThrow(SecretOpenError);
  const parts = sealed.split('.');
  parts[2] = Buffer.from('tampered').toString('base64url');
  expect(() => box.open(parts.join('.'), 'connections:con_1:client_secret')).toThrow(/wrong SECRETS_KEY or tampered/);
  expect(() => createSecretBox(randomBytes(32)).open(sealed, 'connections:con_1:client_secret')).toThrow(SecretOpenError);
  expect(() => box.open('plaintext', 'x')).toThrow(SecretOpenError);
});

test('a shortened authentication tag is refused (forgeries must cost 2^128, not 2^32)', () => {
  const sealed = box.seal('s3cret', 'x:1:y');
  const parts = sealed.split('.');
  parts[4] = Buffer.from(parts[4]!, 'base64url').subarray(0, 4).toString('base64url');
  expect(() => box.open(parts.join('.'), 'x:1:y')).toThrow(SecretOpenError);
});
