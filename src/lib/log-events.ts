import { z } from 'zod';

/**
 * Tenant log events in Auth0's shape (`GET /api/v2/logs`). Every event reaches the store
 * through one `LogSink`, which sanitizes it (sanitize.ts) and writes it off the request's
 * critical path (writer.ts).
 */

/** The one catalogue of event type codes (Auth0's codes), each with its default description. */
export const LOG_TYPES = [
  ['s', 'Success Login'],
  ['f', 'Failed Login'],
  ['seacft', 'Success Exchange (Authorization Code for Access Token)'],
  ['feacft', 'Failed Exchange (Authorization Code for Access Token)'],
  ['sertft', 'Success Exchange (Refresh Token for Access Token)'],
  ['fertft', 'Failed Exchange (Refresh Token for Access Token)'],
  ['seccft', 'Success Exchange (Client Credentials for Access Token)'],
  ['feccft', 'Failed Exchange (Client Credentials for Access Token)'],
  ['slo', 'Success Logout'],
  ['flo', 'Failed Logout'],
  ['sapi', 'Success API Operation'],
  ['fapi', 'Failed API Operation'],
  ['du', 'Deleted User'],
  ['api_limit', 'Rate Limit on the Authentication or Management APIs'],
] as const satisfies readonly (readonly [string, string])[];

export type LogType = (typeof LOG_TYPES)[number][0];

/** The type codes, for validation (`q=type:...`). */
export const LOG_TYPE_CODES = LOG_TYPES.map(([code]) => code) as [LogType, ...LogType[]];

const DESCRIPTIONS: ReadonlyMap<string, string> = new Map(LOG_TYPES);

/** The catalogue's description of a type code. */
export const describeLogType = (type: LogType): string => DESCRIPTIONS.get(type) ?? type;

const text = (max: number) => z.string().max(max);

/** A stored log event. `date` is an ISO time in `Date#toISOString()` form, so its text order is its time order. */
export const LogEventSchema = z.object({
  log_id: z.string().min(1).max(64),
  date: z.iso.datetime({ precision: 3 }),
  type: z.enum(LOG_TYPE_CODES),
  description: text(500).optional(),
  client_id: text(128).optional(),
  client_name: text(256).optional(),
  connection: text(128).optional(),
  connection_id: text(64).optional(),
  user_id: text(512).optional(),
  user_name: text(512).optional(),
  ip: text(64).optional(),
  user_agent: text(512).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export type LogEvent = z.infer<typeof LogEventSchema>;

/** What a producer hands to the sink: the writer adds `log_id`, `date` and a default `description`. */
export type LogEventInput = Omit<LogEvent, 'log_id' | 'date'> & Partial<Pick<LogEvent, 'date'>>;

/**
 * Where producers send events. `emit` returns at once and never throws: the event is
 * sanitized and queued, and the store is written later, off the caller's path. An event may
 * be dropped (bounded queue, store failure), never the caller's request.
 */
export interface LogSink {
  emit(event: LogEventInput): void;
}

/** A sink that drops everything (tests and tools that run without tenant logs). */
export const NO_LOGS: LogSink = { emit: () => undefined };

/** What an event needs to know about the HTTP request that caused it (express's Request and koa's context both fit). */
export interface RequestLike {
  ip?: string | undefined;
  get(name: string): string | undefined;
}

/** The `ip` and `user_agent` of an event, from the request that caused it (absent fields left out). */
export function requestFields(req: RequestLike): Pick<LogEventInput, 'ip' | 'user_agent'> {
  const ua = req.get('user-agent');
  return { ...(req.ip ? { ip: req.ip } : {}), ...(ua ? { user_agent: ua } : {}) };
}
