import type { NextFunction, Request, Response } from 'express';
import passport from 'passport';
import type { Config } from '../config/load.ts';
import type { Logger } from '../lib/logger.ts';
import type { SecretBox } from '../lib/secrets.ts';
import type { InteractionPort } from '../oidc/interactions.ts';
import { authorizeParams } from '../oidc/authorize-params.ts';
import type { ScriptRunner } from '../sandbox/types.ts';
import type { ConnectionRecord, Store } from '../store/types.ts';
import { loginUpsert, socialUserId } from '../users/profile.ts';
import { extraAuthorizeParams, renderUrl, templateValues } from './authorize-params.ts';
import { ConnectionError } from './errors.ts';
import type { OAuth2Options } from './options.ts';
import { fetchProfile } from './profile.ts';
import { upstreamScope } from './scope.ts';
import { BIND_COOKIE_PREFIX, browserMatches, CALLBACK_PATH, transactionStateStore, type LoginTransaction } from './state-store.ts';
import { BrokerStrategy } from './strategy.ts';
import { sharedCallbackUrl, upstreamEgress, upstreamUrlPolicy } from './upstream-settings.ts';
import { callbackPath, issuerMismatch, stateOf, upstreamError } from './callback-checks.ts';
import { sealIdentityTokens } from '../users/identity-tokens.ts';

export interface BrokerDeps {
  config: Config;
  store: Store;
  box: SecretBox;
  runner: ScriptRunner;
  interactions: InteractionPort;
  logger: Logger;
  /** Renders the "start again" page (400) when a callback cannot be tied to a login. */
  expired(res: Response, detail: string): Promise<void>;
  /** Opened, validated options per connection version (shared with the refresher). */
  optionsOf: (connection: ConnectionRecord) => OAuth2Options;
}

type Pending = Parameters<typeof transactionStateStore>[3];

/** Unwraps passport's InternalOAuthError around our ConnectionError. */
function connectionErrorOf(err: unknown): ConnectionError | undefined {
  if (err instanceof ConnectionError) return err;
  const inner = (err as { oauthError?: unknown } | null)?.oauthError;
  return inner instanceof ConnectionError ? inner : undefined;
}

/** The brokered login: leaving for the upstream provider and coming back from it. */
export function createBroker(deps: BrokerDeps) {
  const { config, store, box, logger, optionsOf } = deps;
  const sharedCallback = sharedCallbackUrl(config.issuer);
  // A connection with its own callback address is immune to mix-up attacks (see README).
  const callbackFor = (connection: ConnectionRecord, options: OAuth2Options): string =>
    options.unique_callback ? `${sharedCallback}/${encodeURIComponent(connection.name)}` : sharedCallback;
  const egress = upstreamEgress(config);
  const secureCookie = config.issuer.startsWith('https:');
  const urlPolicy = upstreamUrlPolicy(config);

  function strategyFor(connection: ConnectionRecord, options: OAuth2Options, vars: Record<string, string>, pending: Pending,
    scope?: string, authorizeExtras: Record<string, string> = {}): BrokerStrategy {
    const tokenURL = renderUrl(connection.name, 'tokenURL', options.tokenURL, vars, urlPolicy);
    const callbackURL = callbackFor(connection, options);
    return new BrokerStrategy({
      authorizationURL: renderUrl(connection.name, 'authorizationURL', options.authorizationURL, vars, urlPolicy),
      tokenURL,
      clientID: options.client_id,
      callbackURL,
      ...(scope !== undefined ? { scope } : {}),
      pkce: options.pkce_enabled === true || options.token_endpoint_auth_method === 'none',
      authorizeParams: authorizeExtras,
      stateStore: transactionStateStore(store, config.LOGIN_TTL, secureCookie, pending),
      tokenCall: { connection: connection.name, options, url: tokenURL, redirectUri: callbackURL, egress },
    }, (tokens, done) => {
      completeLogin(connection, options, tokens, vars).then((userId) => done(null, { id: userId }), (err: unknown) => done(err));
    });
  }

  async function completeLogin(connection: ConnectionRecord, options: OAuth2Options, tokens: Parameters<typeof fetchProfile>[1]['tokens'],
    vars: Record<string, string>): Promise<string> {
    const profile = await fetchProfile(deps.runner, {
      connection: connection.name, cacheKey: `${connection.id}:${connection.version}`, script: options.scripts.fetchUserProfile, tokens, vars,
    });
    const userId = socialUserId(connection.name, profile.user_id);
    const upsert = loginUpsert({
      connection: connection.name, profile, tokens: sealIdentityTokens(box, userId, connection.name, tokens), vars,
      setRootAttributes: options.set_user_root_attributes ?? 'on_each_login',
    });
    if ('error' in upsert) throw new ConnectionError('profile_too_large', `connection "${connection.name}": fetchUserProfile returned ${upsert.error}`);
    await store.users.upsertLogin(upsert);
    return userId;
  }

  /** Sends the browser back to oidc-provider with an error for the app, or shows it when the app cannot be reached. */
  async function failLogin(res: Response, uid: string, err: ConnectionError, connection: string): Promise<void> {
    logger.warn({ connection, error_code: err.code, reason: err.message }, 'brokered login failed');
    const returnTo = await deps.interactions.finish(uid, { error: err.appError, error_description: err.message });
    if (returnTo) return void res.redirect(303, returnTo);
    await deps.expired(res, err.message);
  }

  return {
    /** Leaves for the provider: builds the authorization request and records the login transaction. */
    async start(req: Request, res: Response, next: NextFunction, info: { uid: string; clientId: string; params: Record<string, unknown> }, name: string): Promise<void> {
      const connection = await store.connections.getByName(name);
      if (!connection || !connection.enabled_clients.includes(info.clientId)) {
        const why = connection ? `connection "${name}" is not enabled for this application` : `connection "${name}" does not exist`;
        return failLogin(res, info.uid, new ConnectionError('unknown_connection', why, 'invalid_request'), name);
      }
      try {
        const options = optionsOf(connection);
        const appParams = authorizeParams(info.params);
        const vars = templateValues(connection.name, options, appParams);
        const connectionScope = typeof info.params['connection_scope'] === 'string' ? info.params['connection_scope'] : appParams['connection_scope'];
        const pending: Pending = { start: { uid: info.uid, connectionId: connection.id, connection: connection.name, vars, res, redirectUri: callbackFor(connection, options) } };
        const strategy = strategyFor(connection, options, vars, pending, upstreamScope(options, connectionScope), extraAuthorizeParams(options, appParams));
        // passport must see a request without code/error/state: on this route it only ever redirects to the provider.
        const bare = Object.create(req, { query: { value: {} }, body: { value: {} } }) as Request;
        passport.authenticate(strategy, { session: false }, (err: unknown) => {
          next(err ?? new Error('the upstream redirect was not issued'));
        })(bare, res, next);
      } catch (err) {
        const known = connectionErrorOf(err);
        if (known) return failLogin(res, info.uid, known, name);
        throw err;
      }
    },

    /** Comes back from the provider: checks state and browser, exchanges the code, runs the script, signs the user in. */
    async callback(req: Request, res: Response, next: NextFunction): Promise<void> {
      const state = stateOf(req);
      const tx = state ? await store.transactions.take(state) : null;
      const payload = tx?.payload as Partial<LoginTransaction> | undefined;
      if (!tx || !payload?.uid || !payload.connection) return deps.expired(res, 'This sign-in link has expired or was already used.');
      if (!browserMatches(req, state, payload)) {
        // Put it back: whoever replayed the link must not cancel the rightful browser's sign-in.
        await store.transactions.put(tx);
        return deps.expired(res, 'This sign-in was started in another browser or tab session.');
      }
      res.clearCookie(`${BIND_COOKIE_PREFIX}${state}`, { path: CALLBACK_PATH });
      if (payload.redirectUri && new URL(payload.redirectUri).pathname !== callbackPath(req)) {
        return deps.expired(res, 'This sign-in came back through another connection\'s callback address; the code was not used.');
      }
      const connection = await store.connections.get(tx.connection_id);
      const interaction = await deps.interactions.find(payload.uid);
      if (!connection || !interaction) return deps.expired(res, connection ? 'The sign-in took too long.' : 'The connection was removed while you were signing in.');
      const failed = upstreamError(req, connection.name);
      if (failed) return failLogin(res, payload.uid, failed, connection.name);
      if (typeof req.query['code'] !== 'string') {
        return failLogin(res, payload.uid, new ConnectionError('no_code', `connection "${connection.name}": the provider came back without a code`), connection.name);
      }
      let options: OAuth2Options;
      try {
        options = optionsOf(connection);
      } catch (err) {
        return failLogin(res, payload.uid, connectionErrorOf(err) ?? new ConnectionError('invalid_options', String(err)), connection.name);
      }
      const mixedUp = issuerMismatch(req, connection.name, options);
      if (mixedUp) return failLogin(res, payload.uid, mixedUp, connection.name);
      const strategy = strategyFor(connection, options, payload.vars ?? {}, { taken: tx });
      passport.authenticate(strategy, { session: false }, (err: unknown, user: { id: string } | false) => {
        void (async () => {
          if (err || !user) {
            const known = connectionErrorOf(err) ?? (err ? undefined : new ConnectionError('login_failed', `connection "${connection.name}": the login could not be completed`));
            if (!known) return next(err);
            return failLogin(res, payload.uid!, known, connection.name);
          }
          const returnTo = await deps.interactions.finish(payload.uid!, { login: { accountId: user.id } });
          if (!returnTo) return deps.expired(res, 'The sign-in took too long.');
          res.redirect(303, returnTo);
        })().catch(next);
      })(req, res, next);
    },
  };
}

export type Broker = ReturnType<typeof createBroker>;
