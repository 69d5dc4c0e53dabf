import { randomBytes } from 'node:crypto';
import { MASK, openOptions, publicOptions, sealOptions } from '../../src/connections/stored.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { createSecretBox, isSealed, SecretOpenError } from '../../src/lib/secrets.ts';
import type { ConnectionRecord } from '../../src/store/types.ts';

const box = createSecretBox(randomBytes(32));

const record = (id: string, options: Record<string, unknown>): ConnectionRecord => ({
  id, name: 'acme', strategy: 'oauth2', options, enabled_clients: [], realms: ['acme'], is_domain_connection: false,
  show_as_button: true, metadata: {}, version: 1, created_at: '', updated_at: '',
});

const plain = {
  authorizationURL: 'https://up.example/authorize', tokenURL: 'https://up.example/token', client_id: 'cid',
  client_secret: 'the-client-secret', customHeaders: { 'X-Api-Key': 'header-secret', 'X-Other': 'other' },
  scripts: { fetchUserProfile: 'function (a, c, cb) { cb(null, {}) }' }, unknown_key: { kept: true },
};

test('seals client_secret and every customHeaders value, leaves the rest as it was, and does not touch the input', () => {
  const input = structuredClone(plain);
  const sealed = sealOptions('con_1', input, box);
  expect(input).toEqual(plain);
  expect(isSealed(sealed['client_secret'])).toBe(true);
  const headers = sealed['customHeaders'] as Record<string, string>;
  expect(Object.values(headers).every(isSealed)).toBe(true);
  expect(JSON.stringify(sealed)).not.toContain('the-client-secret');
  expect(JSON.stringify(sealed)).not.toContain('header-secret');
  expect(sealed).toMatchObject({ client_id: 'cid', tokenURL: plain.tokenURL, unknown_key: { kept: true }, scripts: plain.scripts });
});

test('openOptions gives the login engine the plaintext back', () => {
  const stored = record('con_1', sealOptions('con_1', plain, box));
  expect(openOptions(stored, box)).toEqual(plain);
});

test('sealed values are bound to their connection and field', () => {
  const sealed = sealOptions('con_1', plain, box);
  expect(() => openOptions(record('con_2', sealed), box)).toThrow(SecretOpenError);
  const headers = sealed['customHeaders'] as Record<string, string>;
  const swapped = { ...sealed, customHeaders: { 'X-Api-Key': headers['X-Other'], 'X-Other': headers['X-Api-Key'] } };
  expect(() => openOptions(record('con_1', swapped), box)).toThrow(SecretOpenError);
  const secretAsHeader = { ...sealed, customHeaders: { 'X-Api-Key': sealed['client_secret'] } };
  expect(() => openOptions(record('con_1', secretAsHeader), box)).toThrow(SecretOpenError);
});

test('an unsealed stored secret is refused loudly, naming the field', () => {
  expect(() => openOptions(record('con_1', { client_secret: 'plain' }), box)).toThrow(/options\.client_secret is not sealed/);
  expect(() => openOptions(record('con_1', { customHeaders: { A: 'plain' } }), box)).toThrow(/customHeaders\.A is not sealed/);
});

test('publicOptions drops client_secret and masks header values', () => {
  const shown = publicOptions(sealOptions('con_1', plain, box));
  expect(shown).not.toHaveProperty('client_secret');
  expect(shown['customHeaders']).toEqual({ 'X-Api-Key': MASK, 'X-Other': MASK });
  expect(shown).toMatchObject({ client_id: 'cid', unknown_key: { kept: true } });
  expect(publicOptions({ client_id: 'x' })).toEqual({ client_id: 'x' });
});

test('an omitted client_secret and masked header values keep the previous stored values', () => {
  const previous = sealOptions('con_1', plain, box);
  const { client_secret: _omit, ...withoutSecret } = plain;
  const next = sealOptions('con_1', { ...withoutSecret, customHeaders: { 'X-Api-Key': MASK, 'X-New': 'fresh' } }, box, previous);
  expect(next['client_secret']).toBe(previous['client_secret']);
  expect(openOptions(record('con_1', next), box)).toMatchObject({
    client_secret: 'the-client-secret', customHeaders: { 'X-Api-Key': 'header-secret', 'X-New': 'fresh' },
  });
  // a header left out is gone (options replace), a given secret replaces the stored one
  const replaced = sealOptions('con_1', { ...plain, client_secret: 'rotated', customHeaders: {} }, box, previous);
  expect(openOptions(record('con_1', replaced), box)).toMatchObject({ client_secret: 'rotated', customHeaders: {} });
});

test('without a previous value, no secret stays absent and a mask is refused with the header named', () => {
  const { client_secret: _omit, ...withoutSecret } = plain;
  expect(sealOptions('con_1', withoutSecret, box)).not.toHaveProperty('client_secret');
  let thrown: unknown;
  try {
    sealOptions('con_1', { ...plain, customHeaders: { 'X-Api-Key': MASK } }, box);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(AppError);
  expect((thrown as AppError).status).toBe(400);
  expect((thrown as AppError).message).toMatch(/options\.customHeaders\.X-Api-Key: the masked value/);
  const previous = sealOptions('con_1', plain, box);
  expect(() => sealOptions('con_1', { customHeaders: { 'x-api-key': MASK } }, box, previous)).toThrow(/x-api-key/);
});
