import type { Request } from 'express';
import type { LogEventInput, LogSink } from '../logs/types.ts';
import { UNKNOWN_CONNECTION, type LoginMetrics } from '../metrics/types.ts';
import { requestFields } from '../logs/context.ts';
import type { Arrival } from './callback-runner.ts';
import type { ConnectionError } from './errors.ts';

/**
 * The tenant-log events of a brokered login: one `s` when the user is handed to the app,
 * one `f` per failure, naming the step that ended it. Only `emit` (queue, never the store)
 * runs on the login's path; `client_name` is filled in by the writer when it flushes.
 * Each event also counts in the login metrics, labelled with a connection this server
 * knows (never a name the request made up).
 */

/** Where a login's outcome goes: the tenant log and the metrics. */
export interface LoginOutputs { sink: LogSink; metrics: LoginMetrics }

/** The connection label of a login: a stored connection's name, else the attempt's (our own record). */
const connectionLabel = (a: Partial<Arrival>): string => a.connection?.name ?? a.attempt?.connection ?? UNKNOWN_CONNECTION;

/** The fields every login event has that the arrival knows so far. */
function loginFields(req: Request, a: Partial<Arrival>, clientId: string | undefined, connection: string | undefined): LogEventInput {
  return {
    type: 's',
    ...requestFields(req),
    ...(clientId ? { client_id: clientId } : {}),
    ...(connection ? { connection } : {}),
    ...(a.connection ? { connection: a.connection.name, connection_id: a.connection.id } : {}),
  };
}

/** `s`: the signed-in user went back to the app. */
export function logLoginSuccess({ sink, metrics }: LoginOutputs, a: Arrival): void {
  metrics.login(connectionLabel(a), 'success');
  const profile = a.profile;
  const userName = profile?.email ?? profile?.name ?? profile?.nickname ?? profile?.user_id;
  sink.emit({
    ...loginFields(a.req, a, a.clientId, a.attempt?.connection),
    ...(a.userId ? { user_id: a.userId } : {}),
    ...(userName ? { user_name: userName } : {}),
  });
}

/** What a failed login tells the log: the step and either the app's error or the page the user saw. */
export interface LoginFailure {
  step: string;
  /** The message the app (or, for an expired link, the user) received. */
  description: string;
  error?: ConnectionError;
  clientId?: string;
  connection?: string;
}

/** `f`: the login ended with an error for the app or the "start again" page. */
export function logLoginFailure({ sink, metrics }: LoginOutputs, a: Partial<Arrival> & Pick<Arrival, 'req'>, failure: LoginFailure): void {
  const { error } = failure;
  metrics.login(connectionLabel(a), 'failure', failure.step);
  sink.emit({
    ...loginFields(a.req, a, failure.clientId ?? a.clientId, failure.connection ?? a.attempt?.connection),
    type: 'f',
    description: failure.description,
    details: {
      step: failure.step,
      ...(error ? { error_code: error.code, app_error: error.appError } : { app_error: 'none (the start-again page was shown)' }),
      ...(error?.providerError ? { provider_error: error.providerError } : {}),
    },
  });
}
