import { oauthProvider } from '@better-auth/oauth-provider';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { genericOAuth, jwt } from 'better-auth/plugins';
import { ACTIVE_CONNECTIONS, UPSTREAM_SECRET } from '../lib/fixtures.ts';

/**
 * The peer: better-auth doing the job of our brokered login, in one process. Its
 * `genericOAuth` plugin signs users in at the bench's upstream (one provider per bench
 * connection, `bench-<k>`, the same upstream clients ours uses), its OAuth 2.1 / OIDC
 * provider plugin (`@better-auth/oauth-provider`, which current better-auth documents in
 * place of the older `oidcProvider`) issues the app's code and tokens, signed RS256 with a
 * 2048-bit key like ours, and everything is stored in SQLite through node:sqlite (the
 * same driver and pragmas as our embedded store; no native addon).
 *
 * The one page better-auth leaves to the application is the login page: here it is a
 * server-side redirect that runs better-auth's own `POST /sign-in/social` (with the signed
 * `oauth_query` the provider handed over) and sends the browser on to the upstream, as the
 * page's script would.
 *
 * Env: PORT, DB_FILE, UPSTREAM (base URL), BENCH_REDIRECT_URI. Prints
 * `{"listening":port,"issuer":…,"clientId":…,"clientSecret":…}` on stdout when ready.
 */

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`peer: ${name} is required`);
  return value;
};
const port = Number(env('PORT'));
const upstream = env('UPSTREAM');
const origin = `http://127.0.0.1:${port}`;
const BASE_PATH = '/api/auth';
const LOGIN_PAGE = '/login';

const database = new DatabaseSync(env('DB_FILE'));
database.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON');

const providers = Array.from({ length: ACTIVE_CONNECTIONS }, (_, k) => ({
  providerId: `bench-${k}`,
  clientId: `bench-${k}`,
  clientSecret: UPSTREAM_SECRET,
  authorizationUrl: `${upstream}/authorize`,
  tokenUrl: `${upstream}/token`,
  userInfoUrl: `${upstream}/userinfo`,
  scopes: ['openid', 'profile', 'email'],
  pkce: true,
  // The upstream is plain OAuth 2.0 whose userinfo names the user `sub` (ours maps it in fetchUserProfile).
  accountSubject: ({ profile }: { profile: { sub?: unknown } }) => String(profile.sub),
}));

const options = {
  baseURL: origin,
  basePath: BASE_PATH,
  secret: randomBytes(32).toString('base64url'),
  database,
  // Only for the admin who registers the app at start (client registration needs a signed-in user).
  emailAndPassword: { enabled: true },
  telemetry: { enabled: false },
  // The bench's driver is one machine sending every login: better-auth's default rate limit
  // would measure 429s. Ours has none on these paths either.
  rateLimit: { enabled: false },
  // The oauth-provider plugin issues tokens at /oauth2/token; the jwt plugin's /token is not the app's.
  disabledPaths: ['/token'],
  plugins: [
    jwt({ jwks: { keyPairConfig: { alg: 'RS256', modulusLength: 2048 } } }),
    genericOAuth({ config: providers }),
    oauthProvider({
      loginPage: LOGIN_PAGE, consentPage: '/consent', scopes: ['openid', 'profile', 'email'],
      // Scope claims in the id_token, as ours (Auth0's dialect) and the baseline issue them: from the user row it already read.
      customIdTokenClaims: ({ user, scopes }) => ({
        ...(scopes.includes('profile') ? { name: user.name } : {}),
        ...(scopes.includes('email') ? { email: user.email, email_verified: user.emailVerified } : {}),
      }),
    }),
  ],
} satisfies BetterAuthOptions;

// The tables first (better-auth's own migration), so the instance starts on a complete schema.
await (await getMigrations(options)).runMigrations();
const auth = betterAuth(options);

/** The app: a confidential web client that skips consent (a first-party app, like ours), registered by an admin. */
const admin = await auth.api.signUpEmail({
  body: { email: 'admin@peer.example', password: randomBytes(18).toString('base64url'), name: 'Bench admin' }, returnHeaders: true,
});
const sessionCookie = admin.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
const client = await auth.api.adminCreateOAuthClient({
  headers: new Headers({ cookie: sessionCookie }),
  body: {
    client_name: 'Bench App', redirect_uris: [env('BENCH_REDIRECT_URI')], token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['authorization_code'], response_types: ['code'], skip_consent: true,
    // better-auth accepts an http loopback redirect URI only for a native client; the bench's
    // app lives on loopback (its redirect URI is never requested: the driver stops there).
    application_type: 'native',
  },
});

const handler = toNodeHandler(auth);

/** The login page: start better-auth's social sign-in for the requested connection, then redirect to it. */
async function loginPage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const connection = url.searchParams.get('connection') ?? 'bench-0';
  const headers = new Headers({ 'content-type': 'application/json', origin, accept: 'application/json' });
  if (req.headers.cookie) headers.set('cookie', req.headers.cookie);
  const answer = await auth.handler(new Request(`${origin}${BASE_PATH}/sign-in/social`, {
    method: 'POST', headers, body: JSON.stringify({ provider: connection, callbackURL: '/', oauth_query: url.search.slice(1) }),
  }));
  const body = (await answer.json()) as { url?: string };
  if (!answer.ok || !body.url) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`sign-in/social answered ${answer.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return;
  }
  res.writeHead(302, { location: body.url, 'set-cookie': answer.headers.getSetCookie(), 'content-length': 0 });
  res.end();
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', origin);
  if (req.method === 'GET' && url.pathname === LOGIN_PAGE) {
    loginPage(req, res, url).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
    return;
  }
  void handler(req, res);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  const listening = (server.address() as AddressInfo).port;
  process.stdout.write(`${JSON.stringify({ listening, issuer: `${origin}${BASE_PATH}`, clientId: client.client_id, clientSecret: client.client_secret })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
