import type Provider from 'oidc-provider';
import type { Client, KoaContextWithOIDC } from 'oidc-provider';
import { requestFields, type LogEventInput, type LogSink, type LogType, type RequestLike } from '../lib/log-events.ts';

/**
 * Tenant-log events of the token endpoint, of refused authorization requests and of logout, taken from oidc-provider's own
 * events (`grant.success`, `grant.error`, `authorization.error`, `server_error`, `end_session.success`): they fire
 * after the answer is decided and `emit` only queues, so nothing here waits for the store.
 * Only names and ids are read from the context, never a parameter that carries a credential
 * (code, refresh_token, client_secret, assertions).
 */

/** Success and failure type per grant type; other grant types are not logged (Auth0 has no code for them here). */
const GRANT_EVENTS: Readonly<Record<string, readonly [LogType, LogType]>> = {
  authorization_code: ['seacft', 'feacft'],
  refresh_token: ['sertft', 'fertft'],
  client_credentials: ['seccft', 'feccft'],
};

/** What an OAuth error the app received says (oidc-provider's errors; anything else is a server error). */
interface OAuthErrorLike { error?: unknown; error_description?: unknown }

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** client_id, client_name and the request's ip and user agent. */
function clientFields(req: RequestLike, client: Client | undefined, clientId?: string): LogEventInput {
  const id = client?.clientId ?? clientId;
  return {
    type: 's',
    ...requestFields(req),
    ...(id ? { client_id: id } : {}),
    ...(client?.clientName ? { client_name: client.clientName } : {}),
  };
}

function grantType(ctx: KoaContextWithOIDC): string | undefined {
  return text((ctx.oidc.params as { grant_type?: unknown } | undefined)?.grant_type);
}

function tokenSuccess(sink: LogSink, ctx: KoaContextWithOIDC): void {
  const grant = grantType(ctx);
  const types = grant ? GRANT_EVENTS[grant] : undefined;
  if (!grant || !types) return;
  const userId = ctx.oidc.account?.accountId;
  sink.emit({ ...clientFields(ctx, ctx.oidc.client), type: types[0], ...(userId ? { user_id: userId } : {}), details: { grant_type: grant } });
}

/**
 * A refused token request. A failed client authentication is `feccft` whatever the grant
 * (Auth0 logs it so); otherwise the grant type's failure code. The description is the
 * error_description the app received.
 */
function tokenFailure(sink: LogSink, ctx: KoaContextWithOIDC, err: OAuthErrorLike): void {
  const grant = grantType(ctx);
  const error = text(err.error) ?? 'server_error';
  const types = error === 'invalid_client' ? GRANT_EVENTS['client_credentials'] : grant ? GRANT_EVENTS[grant] : undefined;
  if (!types) return;
  const clientId = text((ctx.oidc.params as { client_id?: unknown } | undefined)?.client_id);
  const userId = ctx.oidc.account?.accountId;
  sink.emit({
    ...clientFields(ctx, ctx.oidc.client, clientId), type: types[1], ...(userId ? { user_id: userId } : {}),
    description: error === 'server_error' ? 'server_error: the server could not answer the token request' : (text(err.error_description) ?? error),
    details: { error, ...(grant ? { grant_type: grant } : {}) },
  });
}

/**
 * `f` for an authorization request oidc-provider refused before any login began (an unknown
 * connection or one not enabled for the app, a redirect_uri not registered...). Errors of
 * the resume route are not logged here: the broker has already written the login's `f`.
 */
function authorizeFailure(sink: LogSink, ctx: KoaContextWithOIDC, err: OAuthErrorLike): void {
  if (ctx.oidc?.route !== 'authorization') return;
  const params = ctx.oidc.params as { client_id?: unknown; connection?: unknown } | undefined;
  const connection = text(params?.connection);
  const error = text(err.error) ?? 'server_error';
  sink.emit({
    ...clientFields(ctx, ctx.oidc.client, text(params?.client_id)), type: 'f', ...(connection ? { connection } : {}),
    description: text(err.error_description) ?? error, details: { step: 'authorize', error },
  });
}

/** `slo`: a session ended (RP-initiated logout here, Auth0's /v2/logout in logout.ts). */
export function logLogout(sink: LogSink, req: RequestLike, client: Client | undefined, userId: string | undefined, via: string): void {
  sink.emit({ ...clientFields(req, client), type: 'slo', ...(userId ? { user_id: userId } : {}), details: { endpoint: via } });
}

/** Subscribes the tenant-log events to one provider instance (a key rotation builds a new one, subscribed again). */
export function subscribeLogEvents(provider: Provider, sink: LogSink): void {
  provider.on('grant.success', (ctx) => tokenSuccess(sink, ctx));
  provider.on('grant.error', (ctx, err) => tokenFailure(sink, ctx, err));
  provider.on('server_error', (ctx, err) => {
    if (ctx.oidc?.route === 'token') tokenFailure(sink, ctx, err as OAuthErrorLike);
    else authorizeFailure(sink, ctx, err as OAuthErrorLike);
  });
  provider.on('authorization.error', (ctx, err) => authorizeFailure(sink, ctx, err));
  provider.on('end_session.success', (ctx) => logLogout(sink, ctx, ctx.oidc.client, ctx.oidc.session?.accountId, '/oidc/logout'));
}
