/**
 * A login through a connection that cannot go on. `message` is for the person fixing it
 * (admin or developer) and names the connection and the fix; it never contains tokens or
 * secrets. `appError` is the OAuth error code the app receives.
 */
export class ConnectionError extends Error {
  readonly code: string;
  readonly appError: 'access_denied' | 'temporarily_unavailable' | 'invalid_request';
  constructor(code: string, message: string, appError: ConnectionError['appError'] = 'access_denied') {
    super(message);
    this.name = 'ConnectionError';
    this.code = code;
    this.appError = appError;
  }
}
