import type { LogEventInput } from './types.ts';

/** What an event needs to know about the HTTP request that caused it (express's Request fits). */
export interface RequestLike {
  ip?: string | undefined;
  get(name: string): string | undefined;
}

/** The `ip` and `user_agent` of an event, from the request that caused it (absent fields left out). */
export function requestFields(req: RequestLike): Pick<LogEventInput, 'ip' | 'user_agent'> {
  const ua = req.get('user-agent');
  return { ...(req.ip ? { ip: req.ip } : {}), ...(ua ? { user_agent: ua } : {}) };
}
