import type { NextFunction, Request, Response } from 'express';
import { requestFields } from '../../logs/context.ts';
import type { LogSink } from '../../logs/types.ts';
import { principalOf } from '../auth.ts';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const VERBS: Record<string, string> = { POST: 'Create', PUT: 'Update', PATCH: 'Update', DELETE: 'Delete' };
const NOUNS: Record<string, string> = { clients: 'a client', 'client-grants': 'a client grant', connections: 'a connection', users: 'a user' };
/** Operations on a sub-resource, by `METHOD resource/sub-resource` (ids removed). */
const SPECIAL: Record<string, string> = {
  'POST clients/rotate-secret': 'Rotate a client secret',
  'POST users/identities': 'Link a user account',
  'DELETE users/identities': 'Unlink a user account',
  'POST users/identities/refresh': 'Refresh an upstream access token',
};
const SPECIAL_KEYS = Object.keys(SPECIAL).sort((a, b) => b.length - a.length);
const MAX_DEPTH = 3;
const MAX_FIELDS = 100;

/** Auth0-like wording of an operation: "Update a connection", "Rotate a client secret". */
export function describeOperation(method: string, path: string): string {
  // /resource/:id/sub/:sub-id/action -> resource, sub, action (every other segment is an id)
  const segments = path.split('/').filter(Boolean);
  const names = segments.filter((_, i) => i % 2 === 0);
  const operation = `${method} ${names.join('/')}`;
  // Longest match first; a key also covers what follows it (DELETE users/:id/identities/:provider/:user_id).
  const special = SPECIAL_KEYS.find((key) => operation === key || operation.startsWith(`${key}/`));
  if (special) return SPECIAL[special] ?? special;
  const noun = NOUNS[names[0] ?? ''];
  if (!noun) return 'API Operation';
  const verb = names.length > 1 ? 'Update' : (VERBS[method] ?? 'Update');
  return `${verb} ${noun}`;
}

/** The dotted NAMES of the fields a body sets (never their values), up to 3 levels deep. */
export function fieldNames(body: unknown, prefix = '', depth = 0, out: string[] = []): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return out;
  for (const [key, value] of Object.entries(body)) {
    if (out.length >= MAX_FIELDS) break;
    const name = `${prefix}${key}`;
    const nested = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0;
    if (nested && depth + 1 < MAX_DEPTH) fieldNames(value, `${name}.`, depth + 1, out);
    else out.push(name);
  }
  return out;
}

/**
 * Writes one `sapi` (success) or `fapi` (failure) event per Management API write once its
 * answer is sent: method, path, status, the error code, and the names of the body's fields.
 * Values are never read into the event: a secret sent in a body cannot reach the logs.
 */
export function managementAudit(sink: LogSink) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!WRITES.has(req.method)) return next();
    const fields = fieldNames(req.body);
    // Read now: inner routers rewrite req.url/baseUrl while they run. The query string is left out.
    const path = `${req.baseUrl}${req.path}`;
    const description = describeOperation(req.method, req.path);
    let errorCode: string | undefined;
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const code = (body as { errorCode?: unknown } | null)?.errorCode;
      if (res.statusCode >= 400 && typeof code === 'string') errorCode = code;
      return json(body);
    };
    res.on('finish', () => {
      const ok = res.statusCode < 400;
      const clientId = principalOf(res)?.clientId;
      sink.emit({
        type: ok ? 'sapi' : 'fapi',
        description,
        ...(clientId ? { client_id: clientId } : {}),
        ...requestFields(req),
        details: {
          request: { method: req.method, path, channel: 'api', ...(fields.length ? { body_fields: fields } : {}) },
          response: { statusCode: res.statusCode, ...(errorCode ? { error_code: errorCode } : {}) },
        },
      });
    });
    next();
  };
}
