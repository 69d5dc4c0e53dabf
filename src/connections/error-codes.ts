import type { EgressErrorCode } from '../lib/egress-error.ts';
import type { ScriptFailureKind } from '../sandbox/types.ts';

/** The OAuth error an app receives when a brokered login fails. */
export type AppErrorCode = 'access_denied' | 'temporarily_unavailable' | 'invalid_request';

/** Codes that follow a lower layer's own union, so a new egress or script failure cannot go without one. */
type DerivedCode = `token_${EgressErrorCode}` | `script_${ScriptFailureKind}`;

/**
 * Every way a brokered login or an upstream refresh can fail, with the OAuth error the app
 * receives. A code is a stable name for logs and alerts; never text from the provider (that
 * travels as `providerError`), and no HTTP status (the route that answers chooses it).
 */
export const CONNECTION_ERRORS = {
  /** /authorize named a connection that does not exist or is not enabled for the app. */
  unknown_connection: 'invalid_request',
  /** The connection's strategy is not one this engine signs users in with. */
  unsupported_strategy: 'access_denied',
  /** Stored secrets of the connection do not open (SECRETS_KEY changed). */
  unreadable_secrets: 'access_denied',
  /** Stored options fail validation (written by an older version, or by hand). */
  invalid_options: 'access_denied',
  /** A template_params value the app must send on /authorize is missing. */
  template_param_missing: 'invalid_request',
  /** A template_params value the app sent has characters its pattern refuses. */
  template_param_invalid: 'invalid_request',
  /** A URL template cannot be rendered with the values at hand. */
  url_template: 'access_denied',
  /** A URL, as rendered, is refused by the upstream URL policy. */
  url_not_allowed: 'invalid_request',
  /** The provider came back with an OAuth error (its name is in providerError). */
  upstream_error: 'access_denied',
  /** The provider came back with temporarily_unavailable. */
  upstream_unavailable: 'temporarily_unavailable',
  /** The provider came back with neither a code nor an error. */
  no_code: 'access_denied',
  /** RFC 9207: the callback's `iss` is not the connection's issuer (a mix-up attack). */
  issuer_mismatch: 'access_denied',
  /** passport ended the exchange without tokens and without an error. */
  login_failed: 'access_denied',
  /** The token request needs a client_secret and none is set. */
  no_client_secret: 'access_denied',
  /** The token endpoint answered an OAuth error (its name is in providerError). */
  token_error: 'access_denied',
  /** The token endpoint rejected the stored refresh token (expired, revoked, rotated). */
  refresh_token_rejected: 'access_denied',
  /** The token endpoint answered with a redirect, which is never followed. */
  token_redirect: 'access_denied',
  /** The token endpoint answered 404 or 405. */
  token_not_found: 'access_denied',
  /** The token endpoint answered 5xx. */
  token_upstream_down: 'temporarily_unavailable',
  /** The token endpoint answered another 4xx without an OAuth error. */
  token_rejected: 'access_denied',
  /** The token endpoint's body is neither JSON nor form-encoded. */
  token_unreadable: 'access_denied',
  /** The token response has no access token at the configured path. */
  no_access_token: 'access_denied',
  /** The user the login would sign in is blocked (PATCH /api/v2/users/:id {"blocked": true}). */
  user_blocked: 'access_denied',
  /** The connection has no fetchUserProfile script, so no profile can be made (found before leaving for the provider). */
  no_profile_script: 'access_denied',
  /** The profile fetchUserProfile returned does not fit in a user record. */
  profile_too_large: 'access_denied',
  /** The user or identity disappeared while its tokens were refreshed. */
  identity_gone: 'access_denied',
  // The token request never got an answer (egress failures).
  token_timeout: 'temporarily_unavailable',
  token_network: 'temporarily_unavailable',
  token_too_large: 'access_denied',
  token_denied_address: 'access_denied',
  token_denied_scheme: 'access_denied',
  token_invalid_url: 'access_denied',
  token_invalid_request: 'access_denied',
  // fetchUserProfile failed (sandbox outcomes); only a stopped sandbox is worth retrying.
  script_syntax: 'access_denied',
  script_not_a_function: 'access_denied',
  script_thrown: 'access_denied',
  script_callback_error: 'access_denied',
  script_timeout: 'access_denied',
  script_memory: 'access_denied',
  script_no_callback: 'access_denied',
  script_egress_denied: 'access_denied',
  script_request_limit: 'access_denied',
  script_invalid_result: 'access_denied',
  script_crashed: 'temporarily_unavailable',
} as const satisfies Record<DerivedCode, AppErrorCode> & Record<string, AppErrorCode>;

/** A stable code of a failed brokered login or refresh. */
export type ConnectionErrorCode = keyof typeof CONNECTION_ERRORS;

/**
 * Why a refresh cannot even start. The Management API route maps each to its status
 * (not found, or conflict for a missing refresh token).
 */
export type RefreshUnavailableReason = 'user_not_found' | 'identity_not_found' | 'connection_not_found' | 'no_refresh_token';
