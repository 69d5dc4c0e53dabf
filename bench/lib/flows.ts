import { createHash, randomBytes } from 'node:crypto';
import type { Browser } from './browser.ts';
import type { LoginScenario, TokenScenario } from './protocol.ts';

/** Records one request's latency under a label. */
export type HopRecorder = (label: string, ms: number) => void;

const MAX_HOPS = 12;
const ID_SEGMENT = /\/[A-Za-z0-9_-]{16,}(?=\/|$)/g;

/** "idp GET /login/:id": which server, which request, ids folded so labels stay few. */
function label(url: URL, method: string, idpOrigin: string): string {
  return `${url.origin === idpOrigin ? 'idp' : 'upstream'} ${method} ${url.pathname.replace(ID_SEGMENT, '/:id')}`;
}

async function timed<T>(hop: HopRecorder, name: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  hop(name, performance.now() - t0);
  return result;
}

/**
 * One login as a browser plus its app would do it: PKCE, /authorize (with `connection=`
 * when given), every redirect followed (through the upstream provider for a brokered
 * login) until the app's redirect_uri, then the code exchanged at /oauth/token. Throws with
 * the reason on anything unexpected.
 */
export async function login(browser: Browser, s: LoginScenario, connection: string | undefined, hop: HopRecorder): Promise<void> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const authorize = new URL(s.authorizeUrl);
  const q = authorize.searchParams;
  q.set('response_type', 'code');
  q.set('client_id', s.clientId);
  q.set('redirect_uri', s.redirectUri);
  q.set('scope', 'openid profile email');
  q.set('state', state);
  q.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
  q.set('code_challenge_method', 'S256');
  if (connection) q.set('connection', connection);

  const idp = authorize.origin;
  let next = authorize.toString();
  let hops = 0;
  while (!next.startsWith(s.redirectUri)) {
    if (++hops > MAX_HOPS) throw new Error(`more than ${MAX_HOPS} redirects`);
    const url = new URL(next);
    const answer = await timed(hop, label(url, 'GET', idp), () => browser.send(url));
    if (answer.status < 300 || answer.status >= 400 || !answer.location) {
      throw new Error(`${label(url, 'GET', idp)} answered ${answer.status}: ${answer.body.replace(/\s+/g, ' ').slice(0, 300)}`);
    }
    next = answer.location;
  }
  const back = new URL(next).searchParams;
  const code = back.get('code');
  if (!code) throw new Error(`the app got no code: ${back.get('error')}: ${back.get('error_description')}`);
  if (back.get('state') !== state) throw new Error('the app got another state');

  const tokenUrl = new URL(s.tokenUrl);
  const answer = await timed(hop, label(tokenUrl, 'POST', idp), () => browser.send(tokenUrl, {
    form: { grant_type: 'authorization_code', code, redirect_uri: s.redirectUri, code_verifier: verifier, client_id: s.clientId, client_secret: s.clientSecret },
    headers: { accept: 'application/json' }, cookies: false, // the app's back channel: no browser cookies
  }));
  if (answer.status !== 200) throw new Error(`token endpoint answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  const tokens = JSON.parse(answer.body) as { id_token?: unknown; access_token?: unknown };
  if (typeof tokens.id_token !== 'string' || typeof tokens.access_token !== 'string') throw new Error('token answer without id_token or access_token');
  checkIdToken(tokens.id_token, s);
}

/**
 * The id_token is about a user of the bench (the upstream's or the baseline's, all
 * `…@bench.example`), for this app, from this issuer, unexpired: a login that went wrong
 * somewhere cannot pass as one that worked. The signature is the app's library's job (and
 * each server signs with its own key); decoding keeps the driver's CPU out of the way.
 */
export function checkIdToken(idToken: string, s: Pick<LoginScenario, 'issuer' | 'clientId'>): void {
  const payload = idToken.split('.')[1];
  if (!payload) throw new Error('id_token is not a JWT');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const aud = Array.isArray(claims['aud']) ? claims['aud'] : [claims['aud']];
  const problem = claims['iss'] !== s.issuer ? `iss ${String(claims['iss'])}, expected ${s.issuer}`
    : !aud.includes(s.clientId) ? `aud ${JSON.stringify(claims['aud'])} lacks the app`
      : typeof claims['sub'] !== 'string' || !claims['sub'] ? 'no sub'
        : typeof claims['exp'] !== 'number' || claims['exp'] * 1000 < Date.now() ? 'expired or no exp'
          : typeof claims['email'] !== 'string' || !claims['email'].endsWith('@bench.example') ? `email ${String(claims['email'])} is not a bench user's`
            : undefined;
  if (problem) throw new Error(`id_token: ${problem}`);
}

/** One client-credentials token request. */
export async function clientCredentials(browser: Browser, s: TokenScenario, hop: HopRecorder): Promise<void> {
  const url = new URL(s.tokenUrl);
  const answer = await timed(hop, `idp POST ${url.pathname}`, () => browser.send(url, {
    form: { grant_type: 'client_credentials', client_id: s.clientId, client_secret: s.clientSecret, ...s.params },
    headers: { accept: 'application/json' },
  }));
  if (answer.status !== 200) throw new Error(`token endpoint answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  const body = JSON.parse(answer.body) as { access_token?: unknown };
  if (typeof body.access_token !== 'string') throw new Error('token answer without access_token');
}
