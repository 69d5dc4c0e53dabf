import { errors } from 'oidc-provider';

/**
 * A client-credentials request without an audience: Auth0 refuses it too ("No audience parameter
 * was provided"), but a newcomer needs to read which audience to send, slash included.
 */
export function missingAudienceError(mgmtAudience: string): Error {
  return new errors.InvalidRequest(
    `audience is required for client_credentials: send audience=${mgmtAudience} (with the trailing slash) for the Management API`);
}

/** The refusal of an audience the client has no grant for, with a hint when it is the Management API minus its slash. */
export function noGrantError(resource: string, mgmtAudience: string): Error {
  const hint = `${resource}/` === mgmtAudience
    ? `did you mean ${mgmtAudience} (with the trailing slash)?`
    : 'create a client grant for it';
  return new errors.InvalidTarget(`client is not authorized to access "${resource}": ${hint}`);
}
