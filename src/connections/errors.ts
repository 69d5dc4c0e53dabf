import { CONNECTION_ERRORS, type AppErrorCode, type ConnectionErrorCode } from './error-codes.ts';

/**
 * A login through a connection that cannot go on. `message` is for the person fixing it
 * (admin or developer) and names the connection and the fix; it never contains tokens or
 * secrets. `appError`, the OAuth error code the app receives, follows from `code` (see
 * CONNECTION_ERRORS). `providerError` is the provider's own error name, when it sent one.
 */
export class ConnectionError extends Error {
  readonly code: ConnectionErrorCode;
  readonly appError: AppErrorCode;
  readonly providerError: string | undefined;
  constructor(code: ConnectionErrorCode, message: string, detail: { providerError?: string } = {}) {
    super(message);
    this.name = 'ConnectionError';
    this.code = code;
    this.appError = CONNECTION_ERRORS[code];
    this.providerError = detail.providerError;
  }
}

/** The ConnectionError behind `err`, also when passport wrapped it in its InternalOAuthError. */
export function connectionErrorOf(err: unknown): ConnectionError | undefined {
  if (err instanceof ConnectionError) return err;
  const inner = (err as { oauthError?: unknown } | null)?.oauthError;
  return inner instanceof ConnectionError ? inner : undefined;
}
