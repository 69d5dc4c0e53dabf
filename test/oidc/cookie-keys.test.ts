import { cookieKeys } from '../../src/oidc/cookie-keys.ts';

// Signatures keygrip 1.1.0 (what the `cookies` package used before) gives for these keys and data.
const KEY = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MDEyMzQ1Njc4OTA';
const OLD = 'b2xkLWtleQ';
const DATA = '_interaction=abc123; path=/interaction/abc123; httponly';
const KEYGRIP_SIG = 'g3bTOhuJOQVcfzkIctTXWYYNYpg';
const OLD_DATA = '_session=s1; path=/; samesite=lax; httponly';
const KEYGRIP_OLD_SIG = 'jXN_qjO31GOjjHAHLhsaLMu6r_g';

test('signs exactly as keygrip did, so cookies issued before the change stay valid', () => {
  const keys = cookieKeys([KEY, OLD]);
  expect(keys.sign(DATA)).toBe(KEYGRIP_SIG);
  expect(keys.index(DATA, KEYGRIP_SIG)).toBe(0);
  expect(keys.verify(DATA, KEYGRIP_SIG)).toBe(true);
});

test('the first key signs; an older key still verifies (rotation by prepending)', () => {
  const keys = cookieKeys([KEY, OLD]);
  expect(keys.index(OLD_DATA, KEYGRIP_OLD_SIG)).toBe(1);
  expect(keys.sign(OLD_DATA)).not.toBe(KEYGRIP_OLD_SIG);
  expect(cookieKeys([KEY]).index(OLD_DATA, KEYGRIP_OLD_SIG)).toBe(-1);
});

test.each([
  ['one character changed', `${KEYGRIP_SIG.slice(0, -1)}${KEYGRIP_SIG.endsWith('g') ? 'h' : 'g'}`],
  ['truncated', KEYGRIP_SIG.slice(0, -1)],
  ['extended', `${KEYGRIP_SIG}A`],
  ['padded base64', `${KEYGRIP_SIG}=`],
  ['empty', ''],
  ['a signature of other data', cookieKeys([KEY]).sign('_interaction=other; path=/; httponly')],
])('refuses a signature that is %s', (_what, digest) => {
  const keys = cookieKeys([KEY, OLD]);
  expect(keys.index(DATA, digest)).toBe(-1);
  expect(keys.verify(DATA, digest)).toBe(false);
});

test('refuses a non-string digest and an empty key list', () => {
  expect(cookieKeys([KEY]).index(DATA, undefined as unknown as string)).toBe(-1);
  expect(() => cookieKeys([])).toThrow(/at least one key/);
});
