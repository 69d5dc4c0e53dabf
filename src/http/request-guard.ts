import type { RequestHandler } from 'express';
import { AppError } from '../errors/app-error.ts';

const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** True when the request carries a body (a declared length above zero, or a chunked one). */
function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

/**
 * Refuses, before any route runs, what a route would otherwise misread: a path whose
 * percent-encoding is broken (400, instead of the router's URIError turning into a 500),
 * and a write whose body is not in a type the API reads (415, instead of a silently
 * ignored body that still bumps a record's version). `types` must be exactly what the
 * routes' body parser reads (express.json: application/json, any charset).
 */
export function requestGuard(types: readonly string[] = ['application/json']): RequestHandler {
  const accepted = types.join(', ');
  return (req, _res, next) => {
    try {
      decodeURIComponent(req.path);
    } catch {
      return next(new AppError(400, 'invalid_path', 'The request path has malformed percent-encoding (a % must be followed by two hex digits, e.g. %25 for a literal %)'));
    }
    if (WRITES.has(req.method) && hasBody(req.headers) && !req.is([...types])) {
      const got = req.headers['content-type'] ?? 'none';
      return next(new AppError(415, 'unsupported_media_type', `Unsupported content type ${JSON.stringify(got.slice(0, 100))}: send the body as ${accepted}`));
    }
    next();
  };
}
