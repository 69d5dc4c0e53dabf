import { ConnectionError } from './errors.ts';

const CLIENT_AUTH = () => 'check client_id and client_secret (and token_endpoint_auth_method: body or HTTP Basic)';
const REDIRECT = ({ redirectUri }: { redirectUri: string }) => `register ${redirectUri} as a redirect/callback URL at the provider`;
const CODE = () => 'the code was rejected (expired or used twice); start the sign-in again';

const HINTS: Record<string, (ctx: { redirectUri: string }) => string> = {
  invalid_client: CLIENT_AUTH,
  // Providers' own names for the same failures (GitHub, Slack).
  incorrect_client_credentials: CLIENT_AUTH,
  bad_client_secret: CLIENT_AUTH,
  invalid_client_id: CLIENT_AUTH,
  bad_redirect_uri: REDIRECT,
  unauthorized_client: () => 'the provider does not allow this client to use the authorization code grant; check the app settings at the provider',
  redirect_uri_mismatch: REDIRECT,
  invalid_grant: () => 'the code was rejected (expired, used twice, or issued for another client or redirect_uri); start the sign-in again',
  bad_verification_code: CODE,
  invalid_code: CODE,
  invalid_request: () => 'the provider rejected the token request; check token_request_format, token_request_param_names and PKCE settings',
  unsupported_grant_type: () => 'the provider does not accept this grant type at tokenURL',
};

/** Turns a failed upstream token answer into a message that names the fix. */
export function tokenFailure(connection: string, status: number, body: Record<string, unknown> | undefined, redirectUri: string,
  grantType = 'authorization_code', contentType = ''): ConnectionError {
  const error = typeof body?.['error'] === 'string' ? body['error'] : undefined;
  const description = typeof body?.['error_description'] === 'string' ? body['error_description'].slice(0, 300) : undefined;
  const prefix = `connection "${connection}": the token endpoint answered ${status}`;
  if (error) {
    const refreshRejected = grantType === 'refresh_token' && ['invalid_grant', 'bad_refresh_token', 'invalid_refresh_token'].includes(error);
    const hint = refreshRejected ? 'the stored refresh token was rejected (expired, revoked or already rotated); the user must sign in again'
      // A 401 is a failed client authentication whatever the provider calls it (X says unauthorized_client).
      : (status === 401 ? CLIENT_AUTH() : HINTS[error]?.({ redirectUri })) ?? 'see the provider\'s documentation for this error';
    return new ConnectionError(refreshRejected ? 'refresh_token_rejected' : 'token_error', `${prefix} ${error}${description ? ` (${description})` : ''}: ${hint}`,
      { providerError: error.slice(0, 100) });
  }
  if (status >= 300 && status < 400) {
    return new ConnectionError('token_redirect', `${prefix} (a redirect, not followed): check tokenURL`);
  }
  if (status === 404 || status === 405) return new ConnectionError('token_not_found', `${prefix}: check tokenURL and token_request_method`);
  if (status >= 500) return new ConnectionError('token_upstream_down', `${prefix}: the provider failed; try again later`);
  if (status >= 400) return new ConnectionError('token_rejected', `${prefix}: the provider rejected the token request; check client credentials and token request options`);
  const type = contentType ? ` (content-type ${contentType.split(';')[0]})` : '';
  return new ConnectionError('token_unreadable', `${prefix} with a body that is neither JSON nor form-encoded${type}: check tokenURL, and any Accept header in customHeaders`);
}
