import type { Response } from 'express';
import passport from 'passport';
import type { Config } from '../config/load.ts';
import type { Logger } from '../lib/logger.ts';
import type { SecretBox } from '../lib/secrets.ts';
import { authorizeParams } from '../oidc/authorize-capture.ts';
import type { InteractionPort } from '../oidc/interactions.ts';
import type { ScriptRunner } from '../sandbox/types.ts';
import type { ConnectionRecord, Store } from '../store/types.ts';
import { runCallbackSteps, type Arrival, type CallbackEnv } from './callback-runner.ts';
import { CALLBACK_STEPS } from './callback-steps.ts';
import type { EngineOptions } from './engine-options.ts';
import { ConnectionError, connectionErrorOf } from './errors.ts';
import { createRefresher } from './refresh.ts';
import { upstreamScope } from './scope.ts';
import { transactionStateStore, type StateTunnel } from './state-store.ts';
import { BrokerStrategy } from './strategy.ts';
import type { Broker } from './types.ts';
import { extraAuthorizeParams } from './upstream-authorize.ts';
import { upstreamEgress, upstreamUrlPolicy } from './upstream-egress.ts';
import { callbackUrl, renderUrl, sharedCallbackUrl, templateValues } from './upstream-urls.ts';

export interface BrokerDeps {
  config: Config;
  store: Store;
  box: SecretBox;
  runner: ScriptRunner;
  interactions: InteractionPort;
  logger: Logger;
  /** Renders the "start again" page (400) when a callback cannot be tied to a login. */
  expired(res: Response, detail: string): Promise<void>;
  /** Opened, validated, fully defaulted options per connection version. */
  optionsOf: (connection: ConnectionRecord) => EngineOptions;
}

/** The brokered login: leaving for the upstream provider, coming back from it, and refreshing its tokens. */
export function createBroker(deps: BrokerDeps): Broker {
  const { config, store, logger, optionsOf } = deps;
  const egress = upstreamEgress(config);
  const secureCookie = config.issuer.startsWith('https:');
  const urlPolicy = upstreamUrlPolicy(config);

  function strategyFor(connection: ConnectionRecord, options: EngineOptions, vars: Record<string, string>, tunnel: StateTunnel,
    scope?: string, authorizeExtras: Record<string, string> = {}): BrokerStrategy {
    const tokenURL = renderUrl(connection.name, 'tokenURL', options.tokenURL, vars, urlPolicy, options.template_params);
    const callbackURL = callbackUrl(config.issuer, connection.name, options);
    return new BrokerStrategy({
      authorizationURL: renderUrl(connection.name, 'authorizationURL', options.authorizationURL, vars, urlPolicy, options.template_params),
      tokenURL,
      clientID: options.client_id,
      callbackURL,
      ...(scope !== undefined ? { scope } : {}),
      pkce: options.pkce_enabled,
      authorizeParams: authorizeExtras,
      stateStore: transactionStateStore(store, config.LOGIN_TTL, secureCookie, tunnel),
      tokenCall: { connection: connection.name, options, url: tokenURL, redirectUri: callbackURL, egress },
    });
  }

  const env: CallbackEnv = { store, box: deps.box, runner: deps.runner, interactions: deps.interactions, optionsOf, strategyFor };

  /** Sends the browser back to oidc-provider with an error for the app, or shows it when the app cannot be reached. */
  async function failLogin(res: Response, uid: string, err: ConnectionError, connection: string, step: string): Promise<void> {
    logger.warn({ connection, step, error_code: err.code, ...(err.providerError ? { provider_error: err.providerError } : {}), reason: err.message },
      'brokered login failed');
    const returnTo = await deps.interactions.finish(uid, { error: err.appError, error_description: err.message });
    if (returnTo) return void res.redirect(303, returnTo);
    await deps.expired(res, err.message);
  }

  return {
    async start(req, res, next, info, name) {
      const connection = await store.connections.getByName(name);
      if (!connection || !connection.enabled_clients.includes(info.clientId)) {
        const why = connection ? `connection "${name}" is not enabled for this application` : `connection "${name}" does not exist`;
        return failLogin(res, info.uid, new ConnectionError('unknown_connection', why), name, 'start');
      }
      try {
        const options = optionsOf(connection);
        const appParams = authorizeParams(info.params);
        const vars = templateValues(connection.name, options, appParams);
        const connectionScope = typeof info.params['connection_scope'] === 'string' ? info.params['connection_scope'] : appParams['connection_scope'];
        const tunnel: StateTunnel = {
          start: { uid: info.uid, connectionId: connection.id, connection: connection.name, vars, res, redirectUri: callbackUrl(config.issuer, connection.name, options) },
        };
        const strategy = strategyFor(connection, options, vars, tunnel, upstreamScope(options, connectionScope), extraAuthorizeParams(options, appParams));
        // passport must see a request without code/error/state: on this route it only ever redirects to the provider.
        const bare = Object.create(req, { query: { value: {} }, body: { value: {} } }) as typeof req;
        passport.authenticate(strategy, { session: false }, (err: unknown) => {
          next(err ?? new Error('the upstream redirect was not issued'));
        })(bare, res, next);
      } catch (err) {
        const known = connectionErrorOf(err);
        if (known) return failLogin(res, info.uid, known, name, 'start');
        throw err;
      }
    },

    async callback(req, res, next) {
      const arrival: Arrival = { req, res };
      try {
        const { outcome, step } = await runCallbackSteps(CALLBACK_STEPS, arrival, env);
        if ('returnTo' in outcome) return res.redirect(303, outcome.returnTo);
        if ('expired' in outcome) return await deps.expired(res, outcome.expired);
        // A failure is only ever reached with the attempt loaded (the first steps end with "expired").
        const attempt = arrival.attempt;
        if (!attempt) throw new Error(`callback step ${step} failed before the login attempt was loaded`);
        await failLogin(res, attempt.uid, outcome.failed, arrival.connection?.name ?? attempt.connection, step);
      } catch (err) {
        next(err);
      }
    },

    refresh: createRefresher({ store, box: deps.box, optionsOf, callbackURL: sharedCallbackUrl(config.issuer), egress }),
  };
}
