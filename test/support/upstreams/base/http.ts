/** Loopback HTTP plumbing of the emulators: routing, recording, replies, transport faults. */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Faults, RecordedRequest, Reply, Role } from './types.ts';

export interface Ctx {
  req: RecordedRequest;
  /** Values of `:name` segments of the route path. */
  params: Record<string, string>;
  tenant?: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'GET,POST';
  /** Literal path with optional `:name` segments; a trailing slash is significant. */
  path: string;
  role?: Role;
  handle(ctx: Ctx): Reply | Promise<Reply>;
}

export interface ServeOptions {
  routes: Route[];
  faults: Faults;
  requests: RecordedRequest[];
  /** Picks the tenant of a request (Host header, path segment); a Reply refuses it. */
  tenant?(req: RecordedRequest, params: Record<string, string>): string | Reply | undefined;
}

export interface Served {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

export function reply(status: number, body: string, contentType: string, headers: Record<string, string> = {}): Reply {
  return { status, body, headers: { 'content-type': contentType, ...headers } };
}
export const json = (status: number, value: unknown, headers?: Record<string, string>): Reply =>
  reply(status, JSON.stringify(value), 'application/json; charset=utf-8', headers);
export const form = (status: number, value: Record<string, string>, headers?: Record<string, string>): Reply =>
  reply(status, new URLSearchParams(value).toString(), 'application/x-www-form-urlencoded; charset=utf-8', headers);
export const html = (status: number, text: string): Reply =>
  reply(status, `<!DOCTYPE html><html><body><h1>Error</h1><p>${escapeHtml(text)}</p></body></html>`, 'text/html; charset=utf-8');
export const redirect = (location: string): Reply => ({ status: 302, headers: { location }, body: '' });
/** Token answers must not be cached (RFC 6749 §5.1). */
export const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function flatten(params: URLSearchParams): { values: Record<string, string>; repeated: string[] } {
  const values: Record<string, string> = {};
  const repeated = new Set<string>();
  for (const [k, v] of params) {
    if (k in values) repeated.add(k);
    else values[k] = v;
  }
  return { values, repeated: [...repeated] };
}

function parseBody(raw: string, contentType: string): Pick<RecordedRequest, 'body' | 'bodyType' | 'repeated'> {
  if (raw === '') return { body: {}, bodyType: 'none', repeated: [] };
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const { values, repeated } = flatten(new URLSearchParams(raw));
    return { body: values, bodyType: 'form', repeated };
  }
  if (/^application\/([\w.+-]+\+)?json/.test(contentType)) {
    try {
      const parsed: unknown = JSON.parse(raw);
      const body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
      return { body, bodyType: 'json', repeated: [] };
    } catch {
      return { body: {}, bodyType: 'other', repeated: [] };
    }
  }
  return { body: {}, bodyType: 'other', repeated: [] };
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk);
  }
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const query = flatten(url.searchParams);
  const body = parseBody(rawBody, headers['content-type'] ?? '');
  return {
    method: req.method ?? 'GET', path: url.pathname, query: query.values, headers, rawBody, ...body,
    repeated: [...query.repeated, ...body.repeated], at: Date.now(),
  };
}

function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, seg] of want.entries()) {
    const actual = got[i] ?? '';
    if (seg.startsWith(':') && actual !== '') params[seg.slice(1)] = decodeURIComponent(actual);
    else if (seg !== actual) return undefined;
  }
  return params;
}

/** Starts a server on 127.0.0.1 with an ephemeral port. */
export async function serve(opts: ServeOptions): Promise<Served> {
  const timers = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  const sleep = (ms: number) => new Promise<void>((done) => {
    const entry = { timer: setTimeout(() => { timers.delete(entry); done(); }, ms), done };
    timers.add(entry);
  });
  let base = '';

  async function dispatch(req: IncomingMessage): Promise<Reply> {
    const rec = await record(req);
    opts.requests.push(rec);
    const found = opts.routes.map((route) => ({ route, params: match(route.path, rec.path) })).filter((m) => m.params);
    if (found.length === 0) return json(404, { error: 'not_found', path: rec.path });
    const hit = found.find((m) => m.route.method.split(',').includes(rec.method));
    if (!hit?.params) return { ...json(405, { error: 'method_not_allowed' }), headers: { allow: found[0]?.route.method ?? '' } };
    rec.role = hit.route.role;
    const tenant = opts.tenant?.(rec, hit.params);
    if (typeof tenant === 'object') return tenant;
    const fault = hit.route.role === 'token' ? opts.faults.token : hit.route.role === 'profile' ? opts.faults.profile : undefined;
    if (fault?.kind === 'slow') await sleep(fault.delayMs);
    if (fault?.kind === 'status') return reply(fault.status, fault.body ?? `<html><body>Error ${fault.status}</body></html>`, 'text/html');
    if (fault?.kind === 'garbage') return reply(200, '<html><body>We are down for maintenance</body></html>', fault.contentType ?? 'text/html');
    if (fault?.kind === 'redirect') return redirect(fault.location ?? `${base}/moved`);
    return hit.route.handle({ req: rec, params: hit.params, ...(tenant === undefined ? {} : { tenant }) });
  }

  function respond(res: ServerResponse, r: Reply): void {
    if (res.destroyed) return;
    res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
    res.end(r.body);
  }

  const server = createServer((req, res) => {
    dispatch(req).then((r) => respond(res, r), (err: unknown) => respond(res, json(500, { error: 'emulator_failure', message: String(err) })));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    port,
    close: () => new Promise<void>((ok) => {
      for (const t of timers) { clearTimeout(t.timer); t.done(); }
      timers.clear();
      server.close(() => ok());
      server.closeAllConnections();
    }),
  };
}
