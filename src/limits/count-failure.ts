import type { Response } from 'express';

/**
 * Counts a failure answer (401) before it leaves: its `end` waits until `count` has
 * settled, so the caller's next attempt, on any worker, already sees the count. Counting
 * after the answer let a sequential attacker through one more time than the limit (the
 * next request could be checked before the count reached the cluster primary).
 * `count` must not reject (Limits calls do not).
 */
export function countFailureBeforeAnswer(res: Response, count: () => Promise<unknown>): void {
  const end = res.end;
  res.end = function (this: Response, ...args: Parameters<Response['end']>) {
    if (res.statusCode !== 401) return end.apply(this, args);
    void count().finally(() => end.apply(this, args));
    return this;
  } as Response['end'];
}
