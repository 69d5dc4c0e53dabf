import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/** One answer as a virtual user saw it. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The Location header resolved against the request URL. */
  location?: string;
}

interface Cookie { name: string; value: string; origin: string; path: string }

const NAVIGATION_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** Per-request ceiling: a stuck request fails the iteration instead of hanging the step. */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * The cheapest browser that still behaves like one for an OIDC flow: a cookie jar scoped by
 * origin and path (deleted on Max-Age=0 / past Expires), keep-alive connections of its own
 * (one socket per origin, like one tab), manual redirects. http:// on loopback only.
 */
export class Browser {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, keepAliveMsecs: 30_000 });
  #cookies: Cookie[] = [];

  /** Forgets every cookie (a fresh browser profile); connections stay open. */
  clearCookies(): void {
    this.#cookies = [];
  }

  /** Sends one request; resolves the whole answer. `cookies: false`: a request of the app's server, not of the browser. */
  send(url: URL, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string>; cookies?: false } = {}): Promise<Answer> {
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    // A real browser's navigation Accept: servers that answer a script's fetch with JSON instead of a redirect (better-auth) must see a navigation.
    const headers: Record<string, string> = { accept: NAVIGATION_ACCEPT, 'user-agent': 'brokerid-bench', ...init.headers };
    const cookie = init.cookies === false ? '' : this.#cookieHeader(url);
    if (cookie) headers['cookie'] = cookie;
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise<Answer>((resolve, reject) => {
      const req = request(url, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, agent: this.#agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', reject);
        res.on('end', () => {
          if (init.cookies !== false) this.#store(url, res.headers['set-cookie'] ?? []);
          const location = res.headers.location;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, ...(location ? { location: new URL(location, url).toString() } : {}) });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer from ${url.pathname} within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Closes this browser's connections. */
  close(): void {
    this.#agent.destroy();
  }

  #cookieHeader(url: URL): string {
    let out = '';
    for (const c of this.#cookies) {
      if (c.origin !== url.origin || !pathMatches(url.pathname, c.path)) continue;
      out += `${out ? '; ' : ''}${c.name}=${c.value}`;
    }
    return out;
  }

  #store(url: URL, lines: string[]): void {
    for (const line of lines) {
      const parts = line.split(';');
      const pair = parts[0]?.trim() ?? '';
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq);
      let path = '/';
      let expired = false;
      for (let i = 1; i < parts.length; i++) {
        const attr = parts[i]!.trim();
        const lower = attr.toLowerCase();
        if (lower.startsWith('path=')) path = attr.slice(5) || '/';
        else if (lower.startsWith('max-age=')) expired ||= Number(attr.slice(8)) <= 0;
        else if (lower.startsWith('expires=')) expired ||= Date.parse(attr.slice(8)) < Date.now();
      }
      this.#cookies = this.#cookies.filter((c) => !(c.name === name && c.origin === url.origin && c.path === path));
      if (!expired) this.#cookies.push({ name, value: pair.slice(eq + 1), origin: url.origin, path });
    }
  }
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
