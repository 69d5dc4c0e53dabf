import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACTIVE_CONNECTIONS, profileOf, UPSTREAM_SECRET } from './lib/fixtures.ts';

/**
 * A minimal, fast upstream OAuth 2.0 provider for the benchmark (its own process, loopback
 * only): GET /authorize answers at once with a code, POST /token (client_secret_post or
 * basic, optional PKCE) returns a bearer token, GET /userinfo returns the user's profile.
 * Each connection is its own upstream client (`bench-<k>`); the user of a login is drawn at
 * random from that connection's share of the user pool, so the server updates stored users
 * spread over the whole table. Prints `{"listening":port}` on stdout when ready.
 *
 * Control (loopback only): POST /_bench/users?n=N sets the pool size; GET /_bench/profile
 * answers a constant profile (the sandbox micro-benchmark's request target).
 */


const CODE_TTL_MS = 60_000;
const TOKEN_TTL_MS = 300_000;
/** Bounds the maps whatever the load: the oldest entries go first. */
const MAX_ENTRIES = 200_000;

interface Code { clientId: string; redirectUri: string; challenge?: string; user: number; expires: number }
interface Token { user: number; expires: number }

const codes = new Map<string, Code>();
const tokens = new Map<string, Token>();
let poolSize = 100;

const bound = <V>(map: Map<string, V>): void => {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string);
};

/** A user of connection k: index ≡ k (mod ACTIVE_CONNECTIONS), so it exists in the seeded pool. */
function pickUser(clientId: string): number {
  const k = Number(clientId.slice('bench-'.length)) || 0;
  const perConnection = Math.max(1, Math.floor(poolSize / ACTIVE_CONNECTIONS));
  return k + ACTIVE_CONNECTIONS * Math.floor(Math.random() * perConnection);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 65_536) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function authorize(url: URL, res: ServerResponse): void {
  const q = url.searchParams;
  const clientId = q.get('client_id') ?? '';
  const redirectUri = q.get('redirect_uri') ?? '';
  if (q.get('response_type') !== 'code' || !clientId.startsWith('bench-') || !redirectUri) {
    return send(res, 400, { error: 'invalid_request', error_description: 'response_type=code, client_id and redirect_uri are required' });
  }
  const code = randomBytes(16).toString('base64url');
  const challenge = q.get('code_challenge');
  bound(codes);
  codes.set(code, { clientId, redirectUri, ...(challenge ? { challenge } : {}), user: pickUser(clientId), expires: Date.now() + CODE_TTL_MS });
  const back = new URL(redirectUri);
  back.searchParams.set('code', code);
  const state = q.get('state');
  if (state !== null) back.searchParams.set('state', state);
  res.writeHead(302, { location: back.toString(), 'content-length': 0 });
  res.end();
}

async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  let clientId = form.get('client_id') ?? '';
  let secret = form.get('client_secret') ?? '';
  const basic = req.headers.authorization;
  if (basic?.startsWith('Basic ')) {
    const [id = '', pass = ''] = Buffer.from(basic.slice(6), 'base64').toString().split(':').map(decodeURIComponent);
    clientId = id;
    secret = pass;
  }
  if (!clientId.startsWith('bench-') || secret !== UPSTREAM_SECRET) return send(res, 401, { error: 'invalid_client' });
  if (form.get('grant_type') !== 'authorization_code') return send(res, 400, { error: 'unsupported_grant_type' });
  const code = codes.get(form.get('code') ?? '');
  codes.delete(form.get('code') ?? '');
  if (!code || code.expires < Date.now() || code.clientId !== clientId || code.redirectUri !== form.get('redirect_uri')) {
    return send(res, 400, { error: 'invalid_grant' });
  }
  if (code.challenge !== undefined) {
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) return send(res, 400, { error: 'invalid_grant' });
  }
  const accessToken = randomBytes(24).toString('base64url');
  bound(tokens);
  tokens.set(accessToken, { user: code.user, expires: Date.now() + TOKEN_TTL_MS });
  send(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_TTL_MS / 1000, scope: 'openid profile email' });
}

function userinfo(req: IncomingMessage, res: ServerResponse): void {
  const auth = req.headers.authorization ?? '';
  const t = auth.startsWith('Bearer ') ? tokens.get(auth.slice(7)) : undefined;
  if (!t || t.expires < Date.now()) return send(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
  send(res, 200, profileOf(t.user));
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const route = `${req.method} ${url.pathname}`;
  const fail = (err: unknown) => {
    if (!res.headersSent) send(res, 500, { error: 'server_error', error_description: String(err) });
  };
  try {
    if (route === 'GET /authorize') return authorize(url, res);
    if (route === 'POST /token') return void token(req, res).catch(fail);
    if (route === 'GET /userinfo') return userinfo(req, res);
    if (route === 'GET /_bench/profile') return send(res, 200, profileOf(1));
    if (route === 'POST /_bench/users') {
      poolSize = Math.max(1, Number(url.searchParams.get('n')) || poolSize);
      return send(res, 200, { poolSize });
    }
    send(res, 404, { error: 'not_found' });
  } catch (err) {
    fail(err);
  }
});
server.keepAliveTimeout = 65_000;

// Expired codes and tokens go every few seconds (the maps are also bounded by size).
const sweep = setInterval(() => {
  const now = Date.now();
  for (const [k, v] of codes) if (v.expires < now) codes.delete(k);
  for (const [k, v] of tokens) if (v.expires < now) tokens.delete(k);
}, 5_000);
sweep.unref();

server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: (server.address() as AddressInfo).port })}\n`);
});
// The orchestrator owns this process: it ends when told, or when its parent goes.
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
