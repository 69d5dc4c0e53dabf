import type { RequestHandler, Response } from 'express';

/**
 * Headers every answer carries, pages and JSON alike, including what oidc-provider renders
 * itself (its logout form, error pages, 404s). They are set when the request arrives, so a
 * route can replace one (the login page's CSP allowing icons) and oidc-provider can add the
 * hash of its auto-submit script to `script-src`; and set again when the head is written
 * if missing, because koa's error path removes every header set before it.
 *
 * No `form-action`: Chromium applies it to the redirects that follow a form post, and every
 * form here (login, consent, logout) ends in a redirect to an upstream or an app.
 */
const CSP = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'none'; base-uri 'none'";

/** Two years, the preload list's minimum; subdomains are left to whoever owns the parent domain. */
const HSTS = 'max-age=63072000';

/** What `securityHeaders` sets, by header name (lower case); exported for tests and pages. */
export function defaultHeaders(httpsIssuer: boolean): Record<string, string> {
  return {
    'content-security-policy': CSP,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // Tokens, codes and forms with an xsrf value must never sit in a shared or browser cache.
    'cache-control': 'no-store',
    ...(httpsIssuer ? { 'strict-transport-security': HSTS } : {}),
  };
}

/** Name and value pairs, built once: the list is walked twice per answer. */
type Entries = ReadonlyArray<readonly [string, string]>;

function applyMissing(res: Response, headers: Entries): void {
  for (const [name, value] of headers) if (!res.hasHeader(name)) res.setHeader(name, value);
}

/** Middleware giving every response the default security headers unless a route set its own. */
export function securityHeaders(options: { issuer: string }): RequestHandler {
  const headers: Entries = Object.entries(defaultHeaders(options.issuer.startsWith('https:')));
  return (_req, res, next) => {
    applyMissing(res, headers);
    const writeHead = res.writeHead;
    // Both explicit writeHead calls and the implicit one of res.end() pass through here.
    res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
      if (!this.headersSent) applyMissing(this, headers);
      return writeHead.apply(this, args);
    } as Response['writeHead'];
    next();
  };
}
