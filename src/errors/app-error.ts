/**
 * An expected failure with a stable code, an HTTP status, and a message that says what to
 * do. Messages never contain secrets or tokens.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

/** Auth0's Management API error body. */
export interface Auth0ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errorCode: string;
}

/** Shapes an AppError as Auth0 does: `{statusCode, error, message, errorCode}`. */
export function auth0ErrorBody(err: AppError): Auth0ErrorBody {
  return { statusCode: err.status, error: REASONS[err.status] ?? 'Error', message: err.message, errorCode: err.code };
}

export const badRequest = (message: string, code = 'invalid_body'): AppError => new AppError(400, code, message);
export const notFound = (message: string, code = 'inexistent_resource'): AppError => new AppError(404, code, message);
export const conflict = (message: string, code = 'conflict'): AppError => new AppError(409, code, message);
