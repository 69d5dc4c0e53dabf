import { timingSafeEqual, createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Request, RequestHandler } from 'express';
import type { Metrics } from './types.ts';

/** A digest of each side, so the comparison takes the same time whatever the lengths. */
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** True when the request carries `Authorization: Bearer <token>` (compared in constant time). */
function bearerMatches(req: Request, token: string): boolean {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer (.+)$/i.exec(header);
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token));
}

/** Loopback: 127.0.0.0/8, ::1, or an IPv4 loopback mapped into IPv6. */
export function isLoopback(ip: string | undefined): boolean {
  if (!ip) return false;
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return ip === '::1';
}

/**
 * GET /metrics: with a token, only `Authorization: Bearer <token>` (401 otherwise); without
 * one, only requests from loopback (403 otherwise; behind TRUST_PROXY the address is the one
 * the proxy saw, so a scraper from outside is refused).
 */
export function metricsRoute(metrics: Metrics, token: string | undefined): RequestHandler {
  return async (req, res, next) => {
    res.set('Cache-Control', 'no-store');
    if (token !== undefined && !bearerMatches(req, token)) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      return void res.status(401).json({ error: 'unauthorized', message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' });
    }
    if (token === undefined && !isLoopback(req.ip)) {
      return void res.status(403).json({ error: 'forbidden', message: 'GET /metrics answers only loopback addresses unless METRICS_TOKEN is set' });
    }
    try {
      res.type(metrics.contentType).send(await metrics.render());
    } catch (err) {
      next(err);
    }
  };
}
