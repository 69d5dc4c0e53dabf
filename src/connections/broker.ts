import type { Response } from 'express';
import passport from 'passport';
import type { Config } from '../config/load.ts';
import type { Logger } from '../lib/logger.ts';
import type { LogSink } from '../logs/types.ts';
import type { SecretBox } from '../lib/secrets.ts';
import { authorizeParams } from '../oidc/authorize-capture.ts';
import type { InteractionPort } from '../oidc/interactions.ts';
import type { ScriptRunner } from '../sandbox/types.ts';
import type { ConnectionRecord, Store } from '../store/types.ts';
import type { LoginMetrics, LoginOutcome } from '../metrics/types.ts';
import { logLoginFailure, logLoginSuccess, type LoginOutputs } from './broker-logs.ts';
import { runCallbackSteps, type Arrival, type CallbackEnv } from './callback-runner.ts';
import { CALLBACK_STEPS } from './callback-steps.ts';
import { TRY_CLIENT_ID, type DryRunPort } from './dry-run.ts';
import type { EngineOptions } from './engine-options.ts';
import { ConnectionError, connectionErrorOf } from './errors.ts';
import { profileScriptOf } from './profile-script.ts';
import { createRefresher } from './refresh.ts';
import { upstreamScope } from './scope.ts';
import { transactionStateStore, type PendingLogin } from './state-store.ts';
import { BrokerStrategy } from './strategy.ts';
import type { Broker } from './types.ts';
import type { TokenCall } from './upstream-token.ts';
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
  /** Tenant logs: one `s` or `f` per login (broker-logs.ts). */
  loginLogs: LogSink;
  /** Login counters and latency histograms (src/metrics). */
  metrics: LoginMetrics;
  /** Renders the "start again" page (400) when a callback cannot be tied to a login. */
  expired(res: Response, detail: string): Promise<void>;
  /** Opened, validated, fully defaulted options per connection version. */
  optionsOf: (connection: ConnectionRecord) => EngineOptions;
  /** The console's side of "Try" (dry runs of the tester client); without it the tester client signs no one in. */
  dryRun?: DryRunPort;
}

/** What a failing login has established so far (at least the request and the response). */
type Seen = Partial<Arrival> & Pick<Arrival, 'req' | 'res'>;

/** The brokered login: leaving for the upstream provider, coming back from it, and refreshing its tokens. */
export function createBroker(deps: BrokerDeps): Broker {
  const { config, store, logger, optionsOf } = deps;
  const egress = upstreamEgress(config);
  const secureCookie = config.issuer.startsWith('https:');
  const urlPolicy = upstreamUrlPolicy(config);

  /** The token request of a connection for a login's template values (its URL checked as rendered), all but the grant. */
  function tokenCallFor(connection: ConnectionRecord, options: EngineOptions, vars: Record<string, string>, trace?: TokenCall['trace']): Omit<TokenCall, 'grant'> {
    return {
      connection: connection.name, options, url: renderUrl(connection.name, 'tokenURL', options.tokenURL, vars, urlPolicy, options.template_params),
      redirectUri: callbackUrl(config.issuer, connection.name, options), egress, ...(trace ? { trace } : {}),
    };
  }

  /** The passport strategy that sends the browser to the provider; the token URL is rendered too, so a login that could not exchange its code does not leave. */
  function strategyFor(connection: ConnectionRecord, options: EngineOptions, start: PendingLogin, scope: string | undefined, authorizeExtras: Record<string, string>): BrokerStrategy {
    const { url, redirectUri } = tokenCallFor(connection, options, start.vars);
    return new BrokerStrategy({
      authorizationURL: renderUrl(connection.name, 'authorizationURL', options.authorizationURL, start.vars, urlPolicy, options.template_params),
      tokenURL: url,
      clientID: options.client_id,
      callbackURL: redirectUri,
      ...(scope !== undefined ? { scope } : {}),
      pkce: options.pkce_enabled,
      authorizeParams: authorizeExtras,
      stateStore: transactionStateStore(store, config.LOGIN_TTL, secureCookie, start),
    });
  }

  const env: CallbackEnv = { store, box: deps.box, runner: deps.runner, interactions: deps.interactions, dryRun: deps.dryRun, optionsOf, tokenCallFor, metrics: deps.metrics };
  const outputs: LoginOutputs = { sink: deps.loginLogs, metrics: deps.metrics };

  /** Sends the browser back to oidc-provider with an error for the app, or shows it when the app cannot be reached. */
  async function failLogin(a: Seen, uid: string, err: ConnectionError, step: string, names: { connection: string; clientId?: string }): Promise<void> {
    const { res } = a;
    const { connection } = names;
    logLoginFailure(outputs, a, { step, description: err.message, error: err, ...names });
    logger.warn({ connection, step, error_code: err.code, ...(err.providerError ? { provider_error: err.providerError } : {}), reason: err.message },
      'brokered login failed');
    const returnTo = await deps.interactions.finish(uid, { error: err.appError, error_description: err.message });
    if (returnTo) return void res.redirect(303, returnTo);
    await deps.expired(res, err.message);
  }

  return {
    async start(req, res, next, info, name) {
      const connection = await store.connections.getByName(name);
      const tester = info.clientId === TRY_CLIENT_ID;
      if (!connection || !(tester || connection.enabled_clients.includes(info.clientId))) {
        const why = connection ? `connection "${name}" is not enabled for this application` : `connection "${name}" does not exist`;
        return failLogin({ req, res }, info.uid, new ConnectionError('unknown_connection', why), 'start', { connection: name, clientId: info.clientId });
      }
      // The tester client only ever runs tries the console started for this browser and connection.
      const ticket = tester ? await deps.dryRun?.begin(req, info, connection) : undefined;
      if (tester && !ticket) {
        return failLogin({ req, res }, info.uid, new ConnectionError('unknown_connection', 'the connection tester only runs tries started from the admin console'), 'start',
          { connection: name, clientId: info.clientId });
      }
      try {
        const options = optionsOf(connection);
        profileScriptOf(connection, options); // a login that cannot end in a user does not leave for the provider
        const appParams = authorizeParams(info.params);
        const vars = templateValues(connection.name, options, appParams);
        const connectionScope = typeof info.params['connection_scope'] === 'string' ? info.params['connection_scope'] : appParams['connection_scope'];
        const start: PendingLogin = {
          uid: info.uid, connectionId: connection.id, connection: connection.name, vars, res, redirectUri: callbackUrl(config.issuer, connection.name, options),
          ...(ticket ? { try: ticket } : {}),
        };
        const strategy = strategyFor(connection, options, start, upstreamScope(options, connectionScope), extraAuthorizeParams(options, appParams));
        // A try records the authorization request as passport sent it (the redirect's Location).
        if (ticket) {
          res.once('finish', () => {
            const location = res.getHeader('location');
            if (typeof location === 'string' && res.statusCode === 302) deps.dryRun?.authorized(ticket, location);
          });
        }
        // passport must see a request without code/error/state: on this route it only ever redirects to the provider.
        const bare = Object.create(req, { query: { value: {} }, body: { value: {} } }) as typeof req;
        passport.authenticate(strategy, { session: false }, (err: unknown) => {
          next(err ?? new Error('the upstream redirect was not issued'));
        })(bare, res, next);
      } catch (err) {
        const known = connectionErrorOf(err);
        if (known) return failLogin({ req, res, connection }, info.uid, known, 'start', { connection: name, clientId: info.clientId });
        throw err;
      }
    },

    async callback(req, res, next) {
      const arrival: Arrival = { req, res };
      const started = performance.now();
      let ended: LoginOutcome = 'failure';
      try {
        const { outcome, step } = await runCallbackSteps(CALLBACK_STEPS, arrival, env);
        if ('returnTo' in outcome) {
          // A console try signs no one in: it is not a login of the tenant.
          if (!arrival.trial) logLoginSuccess(outputs, arrival);
          ended = 'success';
          return res.redirect(303, outcome.returnTo);
        }
        if ('expired' in outcome) {
          logLoginFailure(outputs, arrival, { step, description: outcome.expired });
          return await deps.expired(res, outcome.expired);
        }
        // A failure is only ever reached with the attempt loaded (the first steps end with "expired").
        const attempt = arrival.attempt;
        if (!attempt) throw new Error(`callback step ${step} failed before the login attempt was loaded`);
        if (arrival.trial && deps.dryRun && arrival.connection) {
          return res.redirect(303, await deps.dryRun.report({ connection: arrival.connection, trace: arrival.trial, failure: { step, error: outcome.failed } }));
        }
        await failLogin(arrival, attempt.uid, outcome.failed, step, { connection: arrival.connection?.name ?? attempt.connection });
      } catch (err) {
        next(err);
      } finally {
        if (!arrival.trial) deps.metrics.callback(ended, (performance.now() - started) / 1000);
      }
    },

    refresh: createRefresher({ store, box: deps.box, optionsOf, callbackURL: sharedCallbackUrl(config.issuer), egress }),
  };
}
