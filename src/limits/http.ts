import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { decodeJwt } from 'jose';
import { AppError } from '../errors/app-error.ts';
import { requestFields } from '../logs/context.ts';
import { countFailureBeforeAnswer } from './count-failure.ts';
import type { LimitDecision, LimitKind, Limits, LimitSubject } from './types.ts';

/** The client's address as the limits count it (express's req.ip, which honours TRUST_PROXY). */
export const ipOf = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';
const subjectOf = (req: Request, clientId?: string): LimitSubject => ({ ...requestFields(req), ...(clientId ? { client_id: clientId } : {}) });

const tooMany = (d: LimitDecision, what: string): AppError =>
  new AppError(429, 'too_many_requests', `${what}: try again in ${d.retryAfterSeconds} s`);

/** `Retry-After` on a refusal; a handler next in line (the HTML or JSON error handler) writes the body. */
function refuse(res: Response, next: NextFunction, d: LimitDecision, what: string): void {
  res.setHeader('Retry-After', String(d.retryAfterSeconds));
  next(tooMany(d, what));
}

/** Counts every request per IP (browser routes): over the limit, 429 and the HTML error page. */
export function limitPerIp(limits: Limits, kind: LimitKind, what: string): RequestHandler {
  return (req, res, next) => {
    if (!limits.enabled) return next();
    limits.consume(kind, ipOf(req), subjectOf(req)).then((d) => (d.allowed ? next() : refuse(res, next, d, what)), next);
  };
}

/** Auth0's rate-limit headers, on every Management API answer. */
function rateLimitHeaders(res: Response, d: LimitDecision): void {
  res.setHeader('X-RateLimit-Limit', String(d.limit));
  res.setHeader('X-RateLimit-Remaining', String(d.remaining));
  res.setHeader('X-RateLimit-Reset', String(d.resetAt));
}

/**
 * Before Management API auth: an IP whose tokens were refused too often is refused before
 * its token is even verified; each 401 counts one failure.
 */
export function managementAuthGuard(limits: Limits): RequestHandler {
  return (req, res, next) => {
    if (!limits.enabled) return next();
    const ip = ipOf(req);
    limits.check('management_auth_ip', ip).then((d) => {
      rateLimitHeaders(res, d);
      if (!d.allowed) return refuse(res, next, d, 'Too many requests with a refused token from this address');
      countFailureBeforeAnswer(res, () => limits.fail('management_auth_ip', ip, subjectOf(req)));
      next();
    }, next);
  };
}

/** The key of a verified Management token: its jti, else sub + azp; hashed, because our token ids are never kept in clear. */
function tokenKey(req: Request): { key: string; clientId?: string } | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!bearer) return undefined;
  const claims = decodeJwt(bearer);
  const clientId = typeof claims['azp'] === 'string' ? claims['azp'] : undefined;
  const id = typeof claims.jti === 'string' ? `jti:${claims.jti}` : `sub:${claims.sub ?? ''}|${clientId ?? ''}`;
  return { key: createHash('sha256').update(id).digest('base64url').slice(0, 32), ...(clientId ? { clientId } : {}) };
}

/** After Management API auth: counts every request per token, with X-RateLimit-* headers on every answer. */
export function managementTokenLimit(limits: Limits): RequestHandler {
  return (req, res, next) => {
    if (!limits.enabled) return next();
    const token = tokenKey(req);
    if (!token) return next();
    limits.consume('management_token', token.key, subjectOf(req, token.clientId)).then((d) => {
      rateLimitHeaders(res, d);
      return d.allowed ? next() : refuse(res, next, d, 'Global limit has been reached for this token');
    }, next);
  };
}
