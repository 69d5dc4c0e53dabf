import type { Request, RequestHandler } from 'express';
import { requestFields } from '../logs/context.ts';
import { countFailureBeforeAnswer } from './count-failure.ts';
import { ipOf } from './http.ts';
import type { LimitDecision, Limits, LimitSubject } from './types.ts';

/** Where the client said who it is: the parsed form (client_secret_post) or HTTP Basic (client_secret_basic). */
export type ClientIdOf = (req: Request) => string | undefined;

/** One client-secret check under the brute-force guard. */
export interface ClientAuthAttempt {
  /** Set when the IP, or this client from this IP, is over its limit: refuse (429, Retry-After) without checking the secret. */
  refused?: LimitDecision;
  /** Counts the failure when the secret was wrong (never rejects). */
  failed(): Promise<void>;
}

/**
 * The brute-force guard of every place that checks a client secret (/oauth/token, the admin
 * console's sign-in): failures count per client_id + IP and per IP, in one budget for all
 * of them, and a success resets nothing.
 */
export async function clientAuthAttempt(limits: Limits, ip: string, clientId: string | undefined, subject: LimitSubject = {}): Promise<ClientAuthAttempt> {
  const id = clientId?.slice(0, 256);
  const pairKey = id === undefined ? undefined : `${ip}\n${id}`;
  const [byIp, byPair] = await Promise.all([
    limits.check('token_auth_ip', ip),
    pairKey === undefined ? undefined : limits.check('token_auth_client_ip', pairKey),
  ]);
  const refused = !byIp.allowed ? byIp : byPair && !byPair.allowed ? byPair : undefined;
  const who = { ...subject, ip, ...(id ? { client_id: id } : {}) };
  return {
    ...(refused ? { refused } : {}),
    async failed() {
      await Promise.all([
        limits.fail('token_auth_ip', ip, who),
        pairKey === undefined ? undefined : limits.fail('token_auth_client_ip', pairKey, who),
      ]);
    },
  };
}

/** The OAuth error Auth0's token endpoint answers when it refuses for too many attempts. */
const tooManyBody = (d: LimitDecision) => ({
  error: 'too_many_requests',
  error_description: `Too many failed client authentications: try again in ${d.retryAfterSeconds} s`,
});

/**
 * The brute-force guard of /oauth/token: only failed client authentications (401) count;
 * over a limit, that client from that IP (or that IP) gets 429 before its credentials are
 * checked, while other clients and other addresses are unaffected. Mounted after the body is parsed.
 */
export function tokenEndpointGuard(limits: Limits, clientIdOf: ClientIdOf): RequestHandler {
  return (req, res, next) => {
    if (!limits.enabled) return next();
    const ip = ipOf(req);
    clientAuthAttempt(limits, ip, clientIdOf(req), requestFields(req)).then((attempt) => {
      if (attempt.refused) {
        res.setHeader('Retry-After', String(attempt.refused.retryAfterSeconds));
        res.setHeader('Cache-Control', 'no-store');
        return void res.status(429).json(tooManyBody(attempt.refused));
      }
      countFailureBeforeAnswer(res, () => attempt.failed());
      next();
    }, next);
  };
}
