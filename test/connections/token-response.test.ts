import { ConnectionError } from '../../src/connections/errors.ts';
import { oauth2OptionsSchema } from '../../src/connections/options.ts';
import { describeKeys, extractTokens, parseTokenBody, providerErrorText, readPath } from '../../src/connections/token-response.ts';

const options = (extra: Record<string, unknown> = {}) => oauth2OptionsSchema({ allowInsecure: false }).parse({
  authorizationURL: 'https://id.example.com/authorize', tokenURL: 'https://id.example.com/token', client_id: 'c',
  scripts: { fetchUserProfile: 'function(a,c,cb){}' }, ...extra,
});
const body = (text: string) => Buffer.from(text);

describe('parseTokenBody', () => {
  test('JSON whatever the content type, form-encoded otherwise', () => {
    expect(parseTokenBody(body(' {"access_token":"a","expires_in":3600} '))).toEqual({ access_token: 'a', expires_in: 3600 });
    expect(parseTokenBody(body('access_token=a%2Bb&scope=repo%2Cgist&token_type=bearer'))).toEqual({ access_token: 'a+b', scope: 'repo,gist', token_type: 'bearer' });
  });

  test('empty, broken, non-object JSON and prose are undefined', () => {
    for (const text of ['', '   ', '{"access_token":', '["a"]', '<html>oops</html>', 'Bad Gateway']) {
      expect(parseTokenBody(body(text))).toBeUndefined();
    }
  });
});

test('readPath follows dots and stops at anything that is not an object', () => {
  const raw = { data: { access_token: 'x', n: 0 }, flat: 'y' };
  expect(readPath(raw, 'data.access_token')).toBe('x');
  expect(readPath(raw, 'data.n')).toBe(0);
  expect(readPath(raw, 'flat.deeper')).toBeUndefined();
  expect(readPath(raw, 'missing.path')).toBeUndefined();
});

test('describeKeys names key paths two levels deep and never values', () => {
  const described = describeKeys({ ok: true, authed_user: { id: 'U1', access_token: 'xoxp-secret' }, list: ['xoxb-secret'] });
  expect(described).toBe('ok, authed_user.id, authed_user.access_token, list');
  expect(described).not.toMatch(/xox/);
  expect(describeKeys({})).toBe('(none)');
});

test('providerErrorText: the most descriptive key wins at either level; "ok"/"success" are not errors', () => {
  expect(providerErrorText({ error: 'invalid_request', data: { description: 'code expired' } })).toBe('code expired');
  expect(providerErrorText({ message: 'success', error: 'bad_code' })).toBe('bad_code');
  expect(providerErrorText({ ok: true, message: 'OK' })).toBeUndefined();
  expect(providerErrorText({ error_description: 'x'.repeat(500) })).toHaveLength(300);
});

describe('extractTokens', () => {
  test('standard fields; expires_in kept only when positive; empty strings dropped; numbers become strings', () => {
    const raw = { access_token: 'at', refresh_token: 'rt', id_token: '', expires_in: '3600', token_type: 'bearer', scope: 42 };
    expect(extractTokens('acme', options(), raw)).toEqual({ accessToken: 'at', refreshToken: 'rt', expiresIn: 3600, tokenType: 'bearer', scope: '42', raw });
    expect(extractTokens('acme', options(), { access_token: 'at', expires_in: 0 })).not.toHaveProperty('expiresIn');
    expect(extractTokens('acme', options(), { access_token: 'at', expires_in: 'soon' })).not.toHaveProperty('expiresIn');
  });

  test('token_response_paths point at nested tokens (TikTok data.*, Slack authed_user.*)', () => {
    const raw = { data: { access_token: 'act.1', refresh_token: 'rft.1', expires_in: 86400 } };
    const paths = { access_token: 'data.access_token', refresh_token: 'data.refresh_token', expires_in: 'data.expires_in' };
    expect(extractTokens('tiktok', options({ token_response_paths: paths }), raw)).toMatchObject({ accessToken: 'act.1', refreshToken: 'rft.1', expiresIn: 86400 });
  });

  test('no access token: the message names the path, the keys present, what the provider said and the option to set', () => {
    const raw = { ok: false, error: 'invalid_code', authed_user: { access_token: 'xoxp-never-shown' } };
    let caught: unknown;
    try {
      extractTokens('slack', options(), raw);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConnectionError);
    const err = caught as ConnectionError;
    expect(err.appError).toBe('access_denied');
    expect(err.message).toMatch(/^connection "slack": the token response has no access token at "access_token"; keys present: ok, error, authed_user\.access_token; the provider said: "invalid_code"\. Set options\.token_response_paths\.access_token/);
    expect(err.message).not.toMatch(/xoxp/);
    expect(() => extractTokens('t', options({ token_response_paths: { access_token: 'data.access_token' } }), {})).toThrow(/no access token at "data\.access_token"; keys present: \(none\)\. Set/);
  });
});
