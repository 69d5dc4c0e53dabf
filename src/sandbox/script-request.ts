import { z } from 'zod';
import { USER_AGENT, type EgressRequest, type EgressResponse } from '../lib/egress.ts';

/**
 * Turns what a script passed to `request(...)` or `fetch(...)` into an egress request, and
 * an egress response back into what the script sees. The script's options arrive as JSON
 * produced inside the isolate, so they are parsed like any untrusted input.
 */

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const ScriptRequestSchema = z.object({
  url: z.string().optional(),
  uri: z.string().optional(),
  method: z.string().optional(),
  headers: z.record(z.string(), scalar).optional(),
  qs: z.record(z.string(), z.union([scalar, z.null(), z.array(scalar)])).optional(),
  json: z.unknown().optional(),
  form: z.union([z.string(), z.record(z.string(), z.union([scalar, z.null(), z.array(scalar)]))]).optional(),
  body: z.unknown().optional(),
  auth: z.object({ user: z.string(), username: z.string(), pass: z.string(), password: z.string(), bearer: z.string() }).partial().optional(),
});

/** What the isolate is told about a completed request. */
export interface ScriptResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  url: string;
}

/** A request the script got wrong; the message is thrown in the script as a TypeError. */
export class ScriptRequestError extends Error {}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function appendParams(params: URLSearchParams, values: Record<string, z.infer<typeof scalar> | null | Array<z.infer<typeof scalar>>>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
}

/** Builds the egress request for a script's options (JSON text from the isolate). */
export function toEgressRequest(optionsJson: string): EgressRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(optionsJson);
  } catch {
    throw new ScriptRequestError('request: options must be an object');
  }
  const parsed = ScriptRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScriptRequestError(`request: invalid option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unexpected value'}`);
  }
  const o = parsed.data;
  const target = o.url ?? o.uri;
  if (target === undefined || target === '') throw new ScriptRequestError('request: options.url is required');
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new ScriptRequestError('request: options.url must be an absolute URL');
  }
  if (o.qs) appendParams(url.searchParams, o.qs);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(o.headers ?? {})) headers[name] = String(value);
  if (o.auth?.bearer !== undefined) headers.Authorization = `Bearer ${o.auth.bearer}`;
  else if (o.auth) {
    const user = o.auth.user ?? o.auth.username ?? '';
    headers.Authorization = `Basic ${Buffer.from(`${user}:${o.auth.pass ?? o.auth.password ?? ''}`).toString('base64')}`;
  }
  let body: string | undefined;
  if (typeof o.body === 'string') body = o.body;
  else if (o.body !== undefined && o.body !== null) {
    if (o.json !== true) throw new ScriptRequestError('request: body must be a string (or set json: true to send an object)');
    body = JSON.stringify(o.body);
  }
  if (o.form !== undefined) {
    body = typeof o.form === 'string' ? o.form : (() => { const p = new URLSearchParams(); appendParams(p, o.form); return p.toString(); })();
    if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  if (o.json !== undefined && o.json !== false) {
    if (!hasHeader(headers, 'accept')) headers.Accept = 'application/json';
    if (o.json !== true) body = JSON.stringify(o.json);
    if (body !== undefined && !hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/json';
  }
  if (!hasHeader(headers, 'user-agent')) headers['User-Agent'] = USER_AGENT;
  return { method: (o.method ?? 'GET').toUpperCase(), url: url.href, headers, body };
}

/** The response as the isolate receives it (body decoded as UTF-8). */
export function toScriptResponse(res: EgressResponse): ScriptResponse {
  return { status: res.status, headers: res.headers, body: res.body.toString('utf8'), url: res.url };
}
