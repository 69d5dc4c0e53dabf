import type { Request, RequestHandler } from 'express';
import { requestFields } from '../logs/context.ts';
import { countFailureBeforeAnswer } from './count-failure.ts';
import type { LimitDecision, Limits } from './types.ts';

/** Where the client said who it is: the parsed form (client_secret_post) or HTTP Basic (client_secret_basic). */
export type ClientIdOf = (req: Request) => string | undefined;

/** The OAuth error Auth0's token endpoint answers when it refuses for too many attempts. */
const tooManyBody = (d: LimitDecision) => ({
  error: 'too_many_requests',
  error_description: `Too many failed client authentications: try again in ${d.retryAfterSeconds} s`,
});

/**
 * The brute-force guard of /oauth/token. Only failed client authentications (401) count, per
 * client_id + IP and per IP; once either is over its limit, that client from that IP (or
 * that IP) gets 429 before its credentials are checked. Other clients and other addresses
 * are unaffected, and a success does not reset any count. Mounted after the body is parsed.
 */
export function tokenEndpointGuard(limits: Limits, clientIdOf: ClientIdOf): RequestHandler {
  return (req, res, next) => {
    if (!limits.enabled) return next();
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const clientId = clientIdOf(req)?.slice(0, 256);
    const pairKey = clientId === undefined ? undefined : `${ip}\n${clientId}`;
    Promise.all([
      limits.check('token_auth_ip', ip),
      pairKey === undefined ? undefined : limits.check('token_auth_client_ip', pairKey),
    ]).then(([byIp, byPair]) => {
      const refused = !byIp.allowed ? byIp : byPair && !byPair.allowed ? byPair : undefined;
      if (refused) {
        res.setHeader('Retry-After', String(refused.retryAfterSeconds));
        res.setHeader('Cache-Control', 'no-store');
        return void res.status(429).json(tooManyBody(refused));
      }
      countFailureBeforeAnswer(res, () => {
        const subject = { ...requestFields(req), ...(clientId ? { client_id: clientId } : {}) };
        return Promise.all([
          limits.fail('token_auth_ip', ip, subject),
          pairKey === undefined ? undefined : limits.fail('token_auth_client_ip', pairKey, subject),
        ]);
      });
      next();
    }, next);
  };
}
