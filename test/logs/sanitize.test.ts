import { isSecretKey, REDACTED, sanitizeEvent } from '../../src/logs/sanitize.ts';
import type { LogEvent } from '../../src/logs/types.ts';

const base: LogEvent = { log_id: 'l1', date: '2026-01-01T00:00:00.000Z', type: 'sapi' };
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLXZhbHVl';

test('values under credential-named keys are masked at any depth; their key names stay', () => {
  const details = {
    client_secret: 'cs-123', secret: 's', access_token: 'at', refresh_token: 'rt', id_token: 'it', password: 'pw',
    authorization: 'x', Authorization: 'y', cookie: 'sid=1', code: 'auth-code', script: 'function(){}',
    options: { clientSecret: 'camel', scripts: { fetchUserProfile: 'function f(){}' }, tokenURL: 'https://up.example/token', scope: ['a'] },
    list: [{ upstream_token: 't' }, { name: 'kept' }],
    headers: { 'x-api-key': 'k', 'set-cookie': 'c=1' },
    code_verifier: 'v', private_key: 'pk', jwk_enc: 'e',
  };
  const out = sanitizeEvent({ ...base, details });
  expect(out.details).toEqual({
    client_secret: REDACTED, secret: REDACTED, access_token: REDACTED, refresh_token: REDACTED, id_token: REDACTED, password: REDACTED,
    authorization: REDACTED, Authorization: REDACTED, cookie: REDACTED, code: REDACTED, script: REDACTED,
    options: { clientSecret: REDACTED, scripts: REDACTED, tokenURL: REDACTED, scope: ['a'] },
    list: [{ upstream_token: REDACTED }, { name: 'kept' }],
    headers: { 'x-api-key': REDACTED, 'set-cookie': REDACTED },
    code_verifier: REDACTED, private_key: REDACTED, jwk_enc: REDACTED,
  });
  expect(JSON.stringify(out)).not.toMatch(/cs-123|camel|auth-code|function|sid=1/);
});

test('credential-shaped strings are masked wherever they are: JWTs, Bearer/Basic values, PEM blocks', () => {
  const out = sanitizeEvent({
    ...base,
    description: `bad token ${JWT}`,
    user_agent: 'Bearer abcdefghijklmnop',
    details: { note: `saw ${JWT}`, header: 'Basic dXNlcjpwYXNzd29yZA==', pem: '-----BEGIN PRIVATE KEY-----\nMII', nested: [[`x ${JWT}`]] },
  });
  expect(out).toEqual({
    ...base, description: REDACTED, user_agent: REDACTED,
    details: { note: REDACTED, header: REDACTED, pem: REDACTED, nested: [[REDACTED]] },
  });
});

test('harmless fields pass unchanged: field NAMES listed as values, methods, paths, numbers', () => {
  const details = { request: { method: 'PATCH', path: '/api/v2/connections/con_1', fields: ['options.client_secret', 'name'] }, response: { statusCode: 200 }, ok: true, none: null };
  expect(sanitizeEvent({ ...base, client_id: 'c1', ip: '127.0.0.1', details })).toEqual({ ...base, client_id: 'c1', ip: '127.0.0.1', details });
});

test('size is bounded: deep nesting is truncated, long strings cut, long arrays and wide objects capped', () => {
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 50; i++) deep = { d: deep };
  const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i]));
  const out = sanitizeEvent({ ...base, details: { deep, long: 'x'.repeat(100_000), arr: Array.from({ length: 1000 }, (_, i) => i), wide } });
  const json = JSON.stringify(out);
  expect(json.length).toBeLessThan(5000);
  expect(json).toContain('[truncated]');
  expect((out.details?.['arr'] as unknown[]).length).toBe(50);
  expect(Object.keys(out.details?.['wide'] as object)).toHaveLength(50);
});

test('isSecretKey splits words, so names that merely contain the letters are kept', () => {
  for (const key of ['client_secret', 'accessToken', 'x-auth-token', 'PASSWORD', 'code', 'fetchUserProfile', 'id_token_hint']) expect(isSecretKey(key)).toBe(true);
  for (const key of ['encoding', 'description', 'codec', 'tokenizer_name', 'connection', 'scope', 'status']) expect(isSecretKey(key)).toBe(false);
});
