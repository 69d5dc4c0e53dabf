import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import { isLocalhostName } from './egress-address.ts';
import type { EgressReach } from './egress-allow.ts';
import { EgressError } from './egress-error.ts';
import { deniedAddress, guardedLookup, mayConnect } from './egress-lookup.ts';
import { agentFor } from './egress-pool.ts';

export { EgressError, isDenied, type EgressErrorCode } from './egress-error.ts';

/**
 * The one HTTP client for server-side requests to admin-chosen URLs (upstream token
 * endpoints, profile-script requests). Such URLs are SSRF vectors, so: https only, no
 * special-purpose addresses (checked on the address actually connected to, via our own
 * `lookup` and again on the socket), no redirects followed, one deadline for the whole
 * exchange, a size cap enforced while reading, and error messages without secrets.
 */

/** Sent when a request names no User-Agent (some providers, e.g. GitHub, refuse requests without one). */
export const USER_AGENT = 'brokerid (OAuth 2.0 broker)';

/**
 * What the deployment allows. `allowInsecure` (development only) permits http and internal
 * addresses; `allow` (EGRESS_ALLOW) names the internal hosts and ranges reachable over https.
 */
export interface EgressPolicy extends EgressReach {
  timeoutMs: number;
  maxBytes: number;
}

export interface EgressRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Aborting it ends the request with a `network` error (used when a script run ends early). */
  signal?: AbortSignal;
}

/** A complete response; 3xx are returned as they are, never followed. */
export interface EgressResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  url: string;
}

/**
 * A pooled socket the server closed while it sat idle fails at once, before any answer
 * (node: `reusedSocket`); the request never reached the server, so it is sent once more on
 * a fresh socket, within the same deadline.
 */
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const FORBIDDEN_CHARS = /[\r\n\0]/;
/**
 * Headers that frame the message or concern the connection. The client sets them from the
 * actual request; letting a caller set them would allow request smuggling on the pooled
 * keep-alive sockets (one run's crafted body answered as another run's request).
 */
export const MANAGED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer',
  'host', 'expect', 'proxy-authorization', 'proxy-connection']);

/** Parses and vets the target; throws EgressError before any network activity. */
function target(req: EgressRequest, policy: EgressPolicy): URL {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new EgressError('invalid_url', 'the request URL is not a valid absolute URL');
  }
  const allowed = policy.allowInsecure ? ['https:', 'http:'] : ['https:'];
  if (!allowed.includes(url.protocol)) {
    throw new EgressError('denied_scheme', `refused ${url.protocol.replace(':', '')} request to ${url.hostname}: only ${allowed.join(', ').replaceAll(':', '')} allowed`);
  }
  const bare = url.hostname.replace(/^\[|\]$/g, '');
  // IP literals never reach `lookup` (node connects to them directly), and a pooled socket
  // skips it too, so what can be judged from the URL alone is judged here, before any I/O.
  const judged = isLocalhostName(bare) ? '127.0.0.1' : isIP(bare) !== 0 ? bare : undefined;
  if (judged !== undefined && !mayConnect(policy, bare, judged)) throw deniedAddress(url.hostname);
  if (!METHODS.has(req.method.toUpperCase())) throw new EgressError('invalid_request', `unsupported method for request to ${url.hostname}`);
  if (url.username !== '' || url.password !== '') {
    throw new EgressError('invalid_url', `refused request to ${url.hostname}: credentials in the URL are not allowed (use an Authorization header)`);
  }
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    if (MANAGED_HEADERS.has(name.toLowerCase())) {
      throw new EgressError('invalid_request', `refused request to ${url.hostname}: the ${name.toLowerCase()} header is set by the HTTP client and cannot be given`);
    }
    if (FORBIDDEN_CHARS.test(name) || FORBIDDEN_CHARS.test(value)) {
      throw new EgressError('invalid_request', `refused request to ${url.hostname}: a header name or value contains CR, LF or NUL`);
    }
  }
  return url;
}

function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Performs one request under `policy`. Rejects only with EgressError. */
export function egressFetch(req: EgressRequest, policy: EgressPolicy): Promise<EgressResponse> {
  let url: URL;
  try {
    url = target(req, policy);
  } catch (err) {
    return Promise.reject(err);
  }
  const host = url.hostname;
  const tooLarge = () => new EgressError('too_large', `response from ${host} exceeded ${policy.maxBytes} bytes`);
  return new Promise<EgressResponse>((resolve, reject) => {
    let settled = false;
    let request: http.ClientRequest | undefined;
    const fail = (err: EgressError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      request?.destroy();
      reject(err);
    };
    const onAbort = () => fail(new EgressError('network', `request to ${host} was cancelled`));
    const timer = setTimeout(() => fail(new EgressError('timeout', `request to ${host} timed out after ${policy.timeoutMs} ms`)), policy.timeoutMs);
    if (req.signal?.aborted) return onAbort();
    req.signal?.addEventListener('abort', onAbort, { once: true });

    // Defense in depth behind the lookup: judge the peer of every socket, fresh or reused from the pool.
    const checkPeer = (socket: Socket): void => {
      const address = socket.remoteAddress;
      if (address !== undefined && !mayConnect(policy, url.hostname, address)) fail(deniedAddress(host));
    };
    const secure = url.protocol === 'https:';
    const options: https.RequestOptions = {
      method: req.method.toUpperCase(),
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers: req.headers,
      agent: agentFor(policy, secure),
      lookup: guardedLookup(policy),
    };
    const send = (retried: boolean): void => {
      let answered = false;
      try {
        request = (secure ? https : http).request(options, (res) => {
          answered = true;
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > policy.maxBytes) return fail(tooLarge());
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > policy.maxBytes) fail(tooLarge()); // destroys the socket: nothing more is read
            else chunks.push(chunk);
          });
          const broken = () => fail(new EgressError('network', `connection to ${host} broke while reading the response`));
          res.on('error', broken);
          res.on('close', () => { if (!res.complete) broken(); });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            req.signal?.removeEventListener('abort', onAbort);
            resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), body: Buffer.concat(chunks, size), url: url.href });
          });
        });
      } catch {
        // node validates header names/values itself and throws synchronously.
        return fail(new EgressError('invalid_request', `refused request to ${host}: invalid header name or value`));
      }
      const sent = request;
      sent.on('socket', (socket) => {
        if (socket.connecting) socket.once('connect', () => checkPeer(socket));
        else checkPeer(socket);
      });
      sent.on('error', (err: Error) => {
        if (err instanceof EgressError) return fail(err);
        const code = (err as NodeJS.ErrnoException).code ?? 'connection failed';
        if (!settled && !retried && !answered && sent.reusedSocket && STALE_SOCKET.has(code)) return send(true);
        fail(new EgressError('network', `request to ${host} failed: ${code}`));
      });
      sent.end(req.body);
    };
    send(false);
  });
}
