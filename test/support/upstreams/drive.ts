/** Test-side shortcuts for driving an emulator by hand: authorize, token, API calls, PKCE pairs. */
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: Record<string, unknown> | undefined;
  /** The Location of a redirect, parsed. */
  location: URL | undefined;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  try { body = JSON.parse(text) as Record<string, unknown>; } catch { body = undefined; }
  const loc = res.headers.get('location');
  return { status: res.status, headers: res.headers, text, body, location: loc === null ? undefined : new URL(loc) };
}

/** GET without following redirects (the browser's first hop to the authorization endpoint). */
export async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return answer(await fetch(url, { redirect: 'manual', headers }));
}

/** GET `${base}${path}?params` without following redirects. */
export const authorizeAt = (base: string, path: string, params: Record<string, string | undefined>): Promise<Answer> => {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  return get(`${base}${path}?${q.toString()}`);
};

/** POST an application/x-www-form-urlencoded body. */
export async function postForm(url: string, params: Record<string, string | undefined>, headers: Record<string, string> = {}): Promise<Answer> {
  const body = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  return answer(await fetch(url, { method: 'POST', redirect: 'manual', headers, body }));
}

/** POST a JSON body. */
export async function postJson(url: string, value: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return answer(await fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) }));
}

export const basic = (id: string, secret: string): Record<string, string> =>
  ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}` });
export const bearerHeader = (token: unknown, scheme = 'Bearer'): Record<string, string> => ({ authorization: `${scheme} ${String(token)}` });

/** A fresh RFC 7636 verifier and its challenge. */
export function pkcePair(method: 'S256' | 'plain' = 'S256', encoding: 'base64url' | 'hex' = 'base64url'): { verifier: string; challenge: string; method: string } {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = method === 'plain' ? verifier : createHash('sha256').update(verifier).digest(encoding);
  return { verifier, challenge, method };
}

/** The `code` of a redirect, failing loudly when the redirect carried an error instead. */
export function codeOf(a: Answer): string {
  const code = a.location?.searchParams.get('code');
  if (a.status !== 302 || !code) throw new Error(`expected a redirect with a code, got ${a.status} ${a.location?.toString() ?? a.text}`);
  return code;
}

/** Verifies an RS256 JWT against a JWKS and returns its claims; throws when the signature is wrong. */
export function verifyJwt(jwt: unknown, jwks: unknown): Record<string, unknown> {
  const [h = '', p = '', s = ''] = String(jwt).split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid?: string; alg?: string };
  const keys = (jwks as { keys?: Array<JsonWebKey & { kid?: string }> }).keys ?? [];
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk || header.alg !== 'RS256') throw new Error('no matching RS256 key');
  if (!verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'))) throw new Error('bad signature');
  return JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
}
