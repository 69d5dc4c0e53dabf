import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** One fixed-window limit: `points` per `durationSeconds` per key. */
export interface WindowRule {
  points: number;
  durationSeconds: number;
}

/** A key's count in its current window. */
export interface WindowCounterState {
  consumedPoints: number;
  /** Milliseconds until the window ends and the count starts again. */
  msBeforeNext: number;
}

/**
 * Fixed-window counts per key. `increment` adds one and resolves the new state (also past
 * the limit); `peek` reads without counting (null: nothing counted in this window).
 */
export interface WindowCounter {
  increment(key: string): Promise<WindowCounterState>;
  peek(key: string): Promise<WindowCounterState | null>;
}

const state = (res: RateLimiterRes): WindowCounterState => ({ consumedPoints: res.consumedPoints, msBeforeNext: res.msBeforeNext });

/** A rate-limiter-flexible limiter as a WindowCounter: a refusal (a RateLimiterRes, not an Error) is still a count. */
export function toWindowCounter(limiter: RateLimiterAbstract): WindowCounter {
  return {
    async increment(key) {
      try {
        return state(await limiter.consume(key));
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return state(rejection);
        throw rejection;
      }
    },
    async peek(key) {
      const res = await limiter.get(key);
      return res ? state(res) : null;
    },
  };
}
