import type { Logger } from '../lib/logger.ts';
import type { LogSink } from '../logs/types.ts';
import type { LimitMetrics } from '../metrics/types.ts';
import type { Counter, CounterFactory, CounterState, LimitDecision, LimitKind, LimitRule, Limits, LimitSubject } from './types.ts';

/** What each limit protects, in the `api_limit` event and the warn line. */
const DESCRIPTIONS: Record<LimitKind, string> = {
  token_auth_client_ip: 'too many failed client authentications for this client from this IP on /oauth/token',
  token_auth_ip: 'too many failed client authentications from this IP on /oauth/token',
  authorize_ip: 'too many /authorize requests from this IP',
  login_ip: 'too many /login requests from this IP',
  management_token: 'too many Management API requests with this token',
  management_auth_ip: 'too many Management API requests with a refused token from this IP',
};

export interface LimitsDeps {
  enabled: boolean;
  rules: Record<LimitKind, LimitRule>;
  counters: CounterFactory;
  logger: Logger;
  sink: LogSink;
  /** Counts each hit (the moment the api_limit event is emitted). */
  metrics?: LimitMetrics;
}

/** The limits of this server over the given counters (see the Limits contract in types.ts). */
export function createLimits(deps: LimitsDeps): Limits {
  const { rules, logger, sink } = deps;
  const counters = new Map<LimitKind, Counter>();
  const counter = (kind: LimitKind): Counter => {
    let c = counters.get(kind);
    if (!c) counters.set(kind, (c = deps.counters(kind, rules[kind])));
    return c;
  };

  const decide = (kind: LimitKind, s: CounterState | null, allowedWhile: (consumed: number, points: number) => boolean): LimitDecision => {
    const { points, durationSeconds } = rules[kind];
    const consumed = s?.consumedPoints ?? 0;
    const ms = s ? Math.max(0, s.msBeforeNext) : durationSeconds * 1000;
    return {
      allowed: allowedWhile(consumed, points),
      limit: points,
      remaining: Math.max(0, points - consumed),
      resetAt: Math.ceil((Date.now() + ms) / 1000),
      retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)),
    };
  };
  const open = (kind: LimitKind): LimitDecision => decide(kind, null, () => true);

  const hit = (kind: LimitKind, decision: LimitDecision, subject: LimitSubject = {}): void => {
    const { points, durationSeconds } = rules[kind];
    logger.warn({ limit: kind, points, windowSeconds: durationSeconds, retryAfter: decision.retryAfterSeconds, ...subject }, `rate limit hit: ${DESCRIPTIONS[kind]}`);
    deps.metrics?.rateLimitHit(kind);
    sink.emit({
      type: 'api_limit', description: `Rate limit exceeded: ${DESCRIPTIONS[kind]}`, ...subject,
      details: { limit: kind, points, window_seconds: durationSeconds, retry_after: decision.retryAfterSeconds },
    });
  };

  /** Fails open: a counter backend that does not answer must not take the server down with it. */
  const guarded = async (kind: LimitKind, run: () => Promise<LimitDecision>): Promise<LimitDecision> => {
    try {
      return await run();
    } catch (err) {
      logger.error({ limit: kind, err: { message: (err as Error).message } }, 'rate limit counter unavailable; allowing the request');
      return open(kind);
    }
  };

  return {
    enabled: deps.enabled,
    consume: (kind, key, subject) => (!deps.enabled ? Promise.resolve(open(kind)) : guarded(kind, async () => {
      const s = await counter(kind).increment(key);
      const decision = decide(kind, s, (consumed, points) => consumed <= points);
      // The first refused request of the window is the hit; later ones are not logged again.
      if (s.consumedPoints === rules[kind].points + 1) hit(kind, decision, subject);
      return decision;
    })),
    check: (kind, key) => (!deps.enabled ? Promise.resolve(open(kind)) : guarded(kind, async () =>
      decide(kind, await counter(kind).peek(key), (consumed, points) => consumed < points))),
    fail: (kind, key, subject) => (!deps.enabled ? Promise.resolve(open(kind)) : guarded(kind, async () => {
      const s = await counter(kind).increment(key);
      const decision = decide(kind, s, (consumed, points) => consumed < points);
      // The failure that reaches the limit is the hit: from now on the key is refused.
      if (s.consumedPoints === rules[kind].points) hit(kind, decision, subject);
      return decision;
    })),
  };
}
