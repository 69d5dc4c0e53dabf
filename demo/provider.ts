/**
 * The demo's example OAuth 2.0 provider (RFC 6749 code flow with RFC 7636 PKCE, a userinfo
 * endpoint) for one registered client. Its sign-in page lets a person pick any name and email,
 * so one demo can make several users; the user id follows the email.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { esc, page } from './html.ts';

export interface ProviderClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

interface Person { id: string; name: string; email: string }
interface Pending { person: Person; redirectUri: string; challenge?: string; expires: number }

const CODE_TTL_MS = 60_000;
const TOKEN_TTL_S = 3600;

const random = () => randomBytes(24).toString('base64url');
const sha256 = (text: string) => createHash('sha256').update(text).digest();
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Keeps only what has not expired, so a long demo does not grow without bound. */
function sweep<T extends { expires: number }>(map: Map<string, T>): void {
  const now = Date.now();
  for (const [key, value] of map) if (value.expires < now) map.delete(key);
}

/** RFC 6749 §2.3.1: Basic credentials are form-encoded, then joined by the first colon. */
function basicCredentials(header: string | undefined): [string, string] | undefined {
  const encoded = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '')?.[1];
  if (!encoded) return undefined;
  const text = Buffer.from(encoded, 'base64').toString();
  const colon = text.indexOf(':');
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return '';
    }
  };
  return colon < 0 ? undefined : [decode(text.slice(0, colon)), decode(text.slice(colon + 1))];
}

function signInForm(q: Record<string, string>, problem?: string): string {
  const hidden = ['client_id', 'redirect_uri', 'state', 'scope', 'code_challenge', 'code_challenge_method']
    .filter((k) => q[k] !== undefined).map((k) => `<input type="hidden" name="${k}" value="${esc(q[k] ?? '')}">`).join('');
  return page('Example Provider: sign in', 'the example OAuth 2.0 provider', `<h1>Example Provider</h1>
<p>Sign in as anyone: pick a name and an email. The same email is the same user next time.</p>
${problem ? `<p role="alert"><strong>${esc(problem)}</strong></p>` : ''}
<form method="post" action="authorize">${hidden}
<label for="name">Name</label><input id="name" name="name" required maxlength="100" value="${esc(q['name'] ?? '')}" placeholder="Ada Lovelace">
<label for="email">Email</label><input id="email" name="email" type="email" required maxlength="200" value="${esc(q['email'] ?? '')}" placeholder="ada@example.com">
<button type="submit">Sign in to Example Provider</button></form>`);
}

/** Builds the provider's express app for `client` (the brokerid connection). */
export function createProvider(client: ProviderClient): express.Express {
  const codes = new Map<string, Pending>();
  const tokens = new Map<string, { person: Person; expires: number }>();
  const app = express();
  app.disable('x-powered-by');

  // Errors before the client and redirect_uri are known go to the person, never to an unchecked URL.
  const checkClient = (q: Record<string, string>, res: Response): boolean => {
    const problem = q['client_id'] !== client.clientId ? 'unknown client_id'
      : q['redirect_uri'] !== client.redirectUri ? `redirect_uri must be ${client.redirectUri}`
        : undefined;
    if (problem) res.status(400).type('html').send(page('Example Provider: error', 'the example OAuth 2.0 provider', `<h1>Cannot sign in</h1><p>${esc(problem)}</p>`));
    return !problem;
  };

  app.get('/authorize', (req: Request, res: Response) => {
    const q = req.query as Record<string, string>;
    if (!checkClient(q, res)) return;
    if (q['response_type'] !== 'code') return res.redirect(`${client.redirectUri}?error=unsupported_response_type&state=${encodeURIComponent(q['state'] ?? '')}`);
    res.type('html').send(signInForm(q));
  });

  app.post('/authorize', express.urlencoded({ extended: false, limit: '8kb' }), (req: Request, res: Response) => {
    const f = req.body as Record<string, string>;
    if (!checkClient(f, res)) return;
    const name = (f['name'] ?? '').trim();
    const email = (f['email'] ?? '').trim().toLowerCase();
    if (!name || !/^[^\s@]+@[^\s@]+$/.test(email)) return res.status(400).type('html').send(signInForm(f, 'Enter a name and an email address.'));
    if (f['code_challenge'] && f['code_challenge_method'] !== 'S256') return res.status(400).type('html').send(signInForm(f, 'Only PKCE S256 is supported.'));
    sweep(codes);
    const code = random();
    const person = { id: `u${sha256(email).toString('hex').slice(0, 16)}`, name, email };
    codes.set(code, { person, redirectUri: client.redirectUri, ...(f['code_challenge'] ? { challenge: f['code_challenge'] } : {}), expires: Date.now() + CODE_TTL_MS });
    const back = new URL(client.redirectUri);
    back.searchParams.set('code', code);
    if (f['state']) back.searchParams.set('state', f['state']);
    res.redirect(303, back.toString());
  });

  app.post('/token', express.urlencoded({ extended: false, limit: '8kb' }), (req: Request, res: Response) => {
    const f = (req.body ?? {}) as Record<string, string>;
    res.set('cache-control', 'no-store');
    const fail = (status: number, error: string, description: string) => res.status(status).json({ error, error_description: description });
    const [id, secret] = basicCredentials(req.get('authorization')) ?? [f['client_id'], f['client_secret']];
    if (id !== client.clientId || !same(secret ?? '', client.clientSecret)) return fail(401, 'invalid_client', 'client authentication failed');
    if (f['grant_type'] !== 'authorization_code') return fail(400, 'unsupported_grant_type', 'only authorization_code');
    const pending = codes.get(f['code'] ?? '');
    codes.delete(f['code'] ?? '');
    if (!pending || pending.expires < Date.now()) return fail(400, 'invalid_grant', 'unknown, used or expired code');
    if (f['redirect_uri'] !== pending.redirectUri) return fail(400, 'invalid_grant', 'redirect_uri differs from the authorization request');
    if (pending.challenge && !same(sha256(f['code_verifier'] ?? '').toString('base64url'), pending.challenge)) return fail(400, 'invalid_grant', 'PKCE code_verifier does not match');
    sweep(tokens);
    const accessToken = random();
    tokens.set(accessToken, { person: pending.person, expires: Date.now() + TOKEN_TTL_S * 1000 });
    res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_TTL_S, scope: 'profile email' });
  });

  app.get('/userinfo', (req: Request, res: Response) => {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
    const grant = tokens.get(token);
    if (!grant || grant.expires < Date.now()) return res.status(401).set('www-authenticate', 'Bearer error="invalid_token"').json({ error: 'invalid_token' });
    res.json({ sub: grant.person.id, name: grant.person.name, email: grant.person.email, email_verified: true });
  });

  app.get('/', (_req, res) => {
    res.type('html').send(page('Example Provider', 'the example OAuth 2.0 provider', '<h1>Example Provider</h1><p>Endpoints: <code>/authorize</code>, <code>/token</code>, <code>/userinfo</code>. Sign in through the example app.</p>'));
  });
  return app;
}
