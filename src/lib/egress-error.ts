/** Why an egress request did not produce a response. Stable: callers map these to user errors. */
export type EgressErrorCode =
  | 'timeout'
  | 'too_large'
  | 'denied_address'
  | 'denied_scheme'
  | 'invalid_url'
  | 'invalid_request'
  | 'network';

/**
 * A failed egress request. The message names the host and the problem only: never headers,
 * bodies or query strings, which may carry secrets or tokens.
 */
export class EgressError extends Error {
  readonly code: EgressErrorCode;
  constructor(code: EgressErrorCode, message: string) {
    super(message);
    this.name = 'EgressError';
    this.code = code;
  }
}

/** True for the codes that mean "the policy forbids this destination". */
export const isDenied = (err: EgressError): boolean => err.code === 'denied_address' || err.code === 'denied_scheme';
