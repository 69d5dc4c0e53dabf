import type { Request, Response } from 'express';
import { AppError } from '../errors/app-error.ts';
import type { ManagementScope } from '../lib/management-scopes.ts';
import { requestFields, type LogSink } from '../logs/index.ts';
import { describeOperation, fieldNames } from '../management/logs/audit.ts';
import type { ConsoleSession } from './session.ts';

/** The Management API call a console action stands for: its scope, method and path (below /api/v2). */
export interface ApiOperation {
  scope: ManagementScope;
  method: 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** The API body, for the audit's field names (values are never read into the event). */
  body?: unknown;
  /** The status the API answers on success; default by method (POST 201, PATCH 200, DELETE 204). */
  okStatus?: number;
}

const OK_STATUS: Record<ApiOperation['method'], number> = { POST: 201, PATCH: 200, DELETE: 204 };

/** The signed-in session of a console request (set by the session middleware in routes.ts). */
export const sessionOf = (res: Response): ConsoleSession => res.locals['console'] as ConsoleSession;

/** True when the signed-in client's grant holds `scope` (views hide what it does not). */
export const can = (session: ConsoleSession, scope: ManagementScope | string): boolean => session.scopes.includes(scope);

/** The 403 of a console request whose client lacks a scope: the Management API's code and words. */
export const insufficientScope = (scope: string): AppError =>
  new AppError(403, 'insufficient_scope', `Insufficient scope, expected any of: ${scope}`);

/**
 * Runs one write as the Management API would: the scope check first, then the service call,
 * then one `sapi`/`fapi` audit event like the API's (same description and field names,
 * `channel: "console"`). Errors are rethrown for the page to show.
 */
export async function runAction<T>(sink: LogSink, req: Request, res: Response, op: ApiOperation, action: () => Promise<T>): Promise<T> {
  const session = sessionOf(res);
  const emit = (status: number, errorCode?: string): void => {
    const fields = fieldNames(op.body);
    sink.emit({
      type: status < 400 ? 'sapi' : 'fapi',
      description: describeOperation(op.method, op.path),
      client_id: session.clientId,
      ...requestFields(req),
      details: {
        request: { method: op.method, path: `/api/v2${op.path}`, channel: 'console', ...(fields.length ? { body_fields: fields } : {}) },
        response: { statusCode: status, ...(errorCode ? { error_code: errorCode } : {}) },
      },
    });
  };
  try {
    if (!can(session, op.scope)) throw insufficientScope(op.scope);
    const result = await action();
    emit(op.okStatus ?? OK_STATUS[op.method]);
    return result;
  } catch (err) {
    if (err instanceof AppError) emit(err.status, err.code);
    else emit(500);
    throw err;
  }
}
