/**
 * The demo's example app: a plain express relying party using openid-client, as any app of
 * brokerid would. "Sign in" sends the person to brokerid with `connection=<name>` (PKCE, state,
 * nonce); the callback redeems the code and the home page shows sub, email and the id_token.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import * as oidc from 'openid-client';
import { esc, page } from './html.ts';

export interface AppSettings {
  /** Where the app listens, e.g. http://127.0.0.1:4000 (no trailing slash). */
  base: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  connection: string;
}

interface Session {
  pending?: { verifier: string; state: string; nonce: string };
  signedIn?: { claims: oidc.IDToken; idToken: string };
}

const COOKIE = 'demo_app_session';
const SERVED_BY = 'the example app';

function decodePart(part: string | undefined): unknown {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as unknown;
}

function home(session: Session): string {
  const s = session.signedIn;
  if (!s) {
    return page('Example App', SERVED_BY, `<h1>Example App</h1><p>This app trusts brokerid for sign-in. It is not signed in.</p>
<a class="button" href="/login">Sign in</a>`);
  }
  const [header, payload] = s.idToken.split('.');
  const email = typeof s.claims['email'] === 'string' ? s.claims['email'] : '(none)';
  return page('Example App: signed in', SERVED_BY, `<h1>Signed in</h1>
<dl><dt>sub</dt><dd data-field="sub">${esc(s.claims.sub)}</dd><dt>email</dt><dd data-field="email">${esc(email)}</dd></dl>
<h2>The id_token, decoded</h2><p>openid-client checked its issuer, audience, expiry and nonce when it redeemed the code.</p>
<h3>Header</h3><pre data-field="id_token_header">${esc(JSON.stringify(decodePart(header), null, 2))}</pre>
<h3>Payload</h3><pre data-field="id_token_payload">${esc(JSON.stringify(decodePart(payload), null, 2))}</pre>
<a class="button" href="/logout">Sign out</a>`);
}

/** Builds the example app; discovery runs once here, against brokerid on loopback (hence plain http). */
export async function createExampleApp(settings: AppSettings): Promise<express.Express> {
  const config = await oidc.discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
  const redirectUri = `${settings.base}/callback`;
  const sessions = new Map<string, Session>();
  const app = express();
  app.disable('x-powered-by');

  // A session is made only when a sign-in starts, so visits without one cost nothing.
  const session = (req: Request, res: Response, create = false): Session => {
    const id = /(?:^|;\s*)demo_app_session=([\w-]+)/.exec(req.get('cookie') ?? '')?.[1];
    const known = id ? sessions.get(id) : undefined;
    if (known) return known;
    const fresh: Session = {};
    if (!create) return fresh;
    const newId = randomBytes(18).toString('base64url');
    sessions.set(newId, fresh);
    res.cookie(COOKIE, newId, { httpOnly: true, sameSite: 'lax', path: '/' });
    return fresh;
  };

  app.get('/', (req, res) => void res.type('html').send(home(session(req, res))));

  app.get('/login', async (req, res, next) => {
    try {
      const s = session(req, res, true);
      const pending = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
      s.pending = pending;
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri, scope: 'openid profile email', connection: settings.connection,
        state: pending.state, nonce: pending.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier), code_challenge_method: 'S256',
      });
      res.redirect(url.toString());
    } catch (err) {
      next(err);
    }
  });

  app.get('/callback', async (req, res) => {
    const s = session(req, res);
    const pending = s.pending;
    delete s.pending;
    try {
      if (!pending) throw new Error('no sign-in in progress in this browser; start again from the home page');
      const tokens = await oidc.authorizationCodeGrant(config, new URL(req.originalUrl, settings.base), {
        pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims || !tokens.id_token) throw new Error('the token response has no id_token');
      s.signedIn = { claims, idToken: tokens.id_token };
      res.redirect('/');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      res.status(400).type('html').send(page('Example App: sign-in failed', SERVED_BY, `<h1>Sign-in failed</h1><p role="alert">${esc(message)}</p><a class="button" href="/">Back</a>`));
    }
  });

  // Signing out of the app alone would leave the brokerid session, which would sign the same person
  // straight back in: end that too (RP-initiated logout), so the next sign-in can pick someone else.
  app.get('/logout', (req, res) => {
    const s = session(req, res);
    const idToken = s.signedIn?.idToken;
    delete s.signedIn;
    if (!idToken) return res.redirect('/');
    res.redirect(oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: `${settings.base}/` }).toString());
  });
  return app;
}
