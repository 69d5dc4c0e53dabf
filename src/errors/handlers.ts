import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../lib/logger.ts';
import { renderPage } from '../lib/render.ts';
import { AppError, auth0ErrorBody } from './app-error.ts';

interface HttpishError { status?: number; statusCode?: number; type?: string; expose?: boolean; message?: string }

/** Turns anything thrown into an AppError; unexpected errors become a 500 that reveals nothing. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as HttpishError;
  if (e.type === 'entity.parse.failed') return new AppError(400, 'invalid_json', `Invalid JSON body: ${e.message ?? 'cannot parse'}`);
  if (e.type === 'entity.too.large') return new AppError(413, 'payload_too_large', 'Request body too large');
  if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') return new AppError(415, 'unsupported_encoding', e.message ?? 'Unsupported encoding');
  const status = e.status ?? e.statusCode;
  if (status && status >= 400 && status < 500 && e.expose) return new AppError(status, 'bad_request', e.message ?? 'Bad request');
  return new AppError(500, 'internal_error', 'Internal error: the server could not complete the request');
}

/** JSON errors in Auth0's Management API shape. */
export function jsonErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError = toAppError(err);
    if (appError.status >= 500) log.error({ err, path: req.path }, 'request failed');
    res.status(appError.status).json(auth0ErrorBody(appError));
  };
}

/** HTML error pages for people (login flow, unknown pages). */
export function htmlErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError = toAppError(err);
    if (appError.status >= 500) log.error({ err, path: req.path }, 'request failed');
    renderPage('error', {
      title: 'Something went wrong', mainClass: 'error', heading: appError.status >= 500 ? 'Something went wrong' : 'We could not sign you in',
      message: appError.message, code: appError.code,
    }).then(
      (html) => res.status(appError.status).type('html').send(html),
      () => res.status(appError.status).type('text').send(appError.message),
    );
  };
}
