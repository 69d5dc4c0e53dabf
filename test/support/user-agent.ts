import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/** One response as the user agent saw it. */
export interface Page { url: string; status: number; headers: IncomingHttpHeaders; text: string; location?: string }

interface Cookie { name: string; value: string; host: string; path: string }

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** Like a browser, `*.localhost` is loopback (tests use it for per-tenant subdomains). */
function lookup(hostname: string, options: object, cb: LookupCallback): void {
  if (/(^|\.)localhost$/i.test(hostname)) {
    const all = (options as { all?: boolean }).all;
    return all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4);
  }
  dnsLookup(hostname, options, cb as never);
}

/**
 * A minimal browser for flows over real HTTP: a cookie jar (host + path scoped), manual
 * redirect following, form posts. `stopAt` ends a redirect chain at the app's redirect_uri,
 * which no server needs to serve.
 */
export class UserAgent {
  readonly cookies: Cookie[] = [];
  readonly visited: Page[] = [];

  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Page> {
    const u = new URL(url);
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    const cookie = this.cookies.filter((c) => c.host === u.hostname && u.pathname.startsWith(c.path)).map((c) => `${c.name}=${c.value}`).join('; ');
    const headers: Record<string, string> = { 'user-agent': 'test-user-agent', accept: 'text/html', ...(cookie ? { cookie } : {}), ...init.headers };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const page = await new Promise<Page>((resolve, reject) => {
      const req = send(u, { method: init.method ?? (body ? 'POST' : 'GET'), headers, lookup, rejectUnauthorized: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ url, status: res.statusCode ?? 0, headers: res.headers, text, ...(res.headers.location ? { location: new URL(res.headers.location, url).toString() } : {}) }));
      });
      req.on('error', reject);
      req.end(body);
    });
    this.store(u, page.headers['set-cookie'] ?? []);
    this.visited.push(page);
    return page;
  }

  /** Follows redirects from `url` until a non-redirect answer or a URL starting with `stopAt`. Returns the last page, or the stop URL. */
  async follow(url: string, stopAt: string, init: { method?: string; form?: Record<string, string> } = {}, maxHops = 20): Promise<{ page?: Page; stoppedAt?: string }> {
    let next: string | undefined = url;
    let opts = init;
    for (let hop = 0; next && hop < maxHops; hop++) {
      if (next.startsWith(stopAt)) return { stoppedAt: next };
      const page = await this.request(next, opts);
      opts = {};
      if (page.status < 300 || page.status >= 400 || !page.location) return { page };
      next = page.location;
    }
    throw new Error(`too many redirects from ${url}`);
  }

  private store(u: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 1) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) || '/';
      const expired = attrs.some((a) => /^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()) || attrs.some((a) => /^max-age=(0|-)/i.test(a));
      const i = this.cookies.findIndex((c) => c.name === name && c.host === u.hostname && c.path === path);
      if (i >= 0) this.cookies.splice(i, 1);
      if (!expired) this.cookies.push({ name, value, host: u.hostname, path });
    }
  }
}
