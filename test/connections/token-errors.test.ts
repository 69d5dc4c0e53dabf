import { ConnectionError } from '../../src/connections/errors.ts';
import { tokenFailure } from '../../src/connections/token-errors.ts';

const CB = 'https://idp.example.com/login/callback';
const fail = (status: number, body?: Record<string, unknown>, grant?: string, contentType?: string) =>
  tokenFailure('acme', status, body, CB, grant, contentType);

test('a provider error names the connection, status, error, description and the fix', () => {
  const err = fail(400, { error: 'redirect_uri_mismatch', error_description: 'The redirect_uri is not registered' });
  expect(err).toBeInstanceOf(ConnectionError);
  expect(err.appError).toBe('access_denied');
  expect(err.message).toBe(`connection "acme": the token endpoint answered 400 redirect_uri_mismatch (The redirect_uri is not registered): register ${CB} as a redirect/callback URL at the provider`);
});

test.each([
  ['invalid_client', /check client_id and client_secret/],
  ['incorrect_client_credentials', /check client_id and client_secret/],
  ['bad_client_secret', /check client_id and client_secret/],
  ['bad_redirect_uri', /register https:\/\/idp\.example\.com\/login\/callback/],
  ['invalid_grant', /the code was rejected \(expired, used twice, or issued for another client or redirect_uri\)/],
  ['bad_verification_code', /the code was rejected \(expired or used twice\)/],
  ['invalid_request', /check token_request_format, token_request_param_names and PKCE settings/],
  ['unsupported_grant_type', /does not accept this grant type at tokenURL/],
  ['something_new', /see the provider's documentation for this error/],
])('provider error %s gets its hint', (error, hint) => {
  expect(fail(400, { error }).message).toMatch(hint);
});

test('a 401 is client authentication whatever the provider calls it', () => {
  expect(fail(401, { error: 'unauthorized_client' }).message).toMatch(/answered 401 unauthorized_client: check client_id and client_secret/);
  expect(fail(400, { error: 'unauthorized_client' }).message).toMatch(/does not allow this client to use the authorization code grant/);
});

test('a rejected refresh token says the user must sign in again; the same error on a code exchange does not', () => {
  for (const error of ['invalid_grant', 'bad_refresh_token', 'invalid_refresh_token']) {
    expect(fail(400, { error }, 'refresh_token').message).toMatch(/the stored refresh token was rejected .*the user must sign in again/);
  }
  expect(fail(400, { error: 'invalid_grant' }, 'authorization_code').message).not.toMatch(/refresh token/);
});

test('a long description is cut at 300 characters', () => {
  const message = fail(400, { error: 'invalid_request', error_description: 'd'.repeat(1000) }).message;
  expect(message).toContain(`(${'d'.repeat(300)})`);
  expect(message).not.toContain('d'.repeat(301));
});

test('without an error field the status decides: redirect, not found, provider down, rejected, unreadable', () => {
  expect(fail(302)).toMatchObject({ code: 'token_redirect', appError: 'access_denied', message: expect.stringMatching(/answered 302 \(a redirect, not followed\): check tokenURL$/) });
  expect(fail(404).message).toMatch(/answered 404: check tokenURL and token_request_method$/);
  expect(fail(405).message).toMatch(/answered 405: check tokenURL and token_request_method$/);
  expect(fail(503)).toMatchObject({ code: 'token_upstream_down', appError: 'temporarily_unavailable', message: expect.stringMatching(/answered 503: the provider failed; try again later$/) });
  expect(fail(403, { message: 'no' }).message).toMatch(/answered 403: the provider rejected the token request; check client credentials/);
  expect(fail(200, undefined, 'authorization_code', 'text/html; charset=utf-8').message)
    .toBe('connection "acme": the token endpoint answered 200 with a body that is neither JSON nor form-encoded (content-type text/html): check tokenURL, and any Accept header in customHeaders');
  expect(fail(200).message).toMatch(/neither JSON nor form-encoded: check tokenURL/);
});
