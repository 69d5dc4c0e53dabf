import type { RequestHandler, Response } from 'express';
import type { ManagementScope } from '../../lib/management-scopes.ts';
import { can, insufficientScope, sessionOf } from '../actions.ts';

/** Who may use the try pages: a check per page of the scope it needs. */
export type ConsoleGuard = (scope: ManagementScope) => RequestHandler[];

/**
 * The console session's guard: the signed-in client's grant (read on every request by the
 * console router) must hold `scope`, or the page is the API's 403. It runs after the
 * console's sign-in and CSRF checks, so it only decides the scope.
 */
export const sessionGuard: ConsoleGuard = (scope) => [
  (_req, res, next) => (can(sessionOf(res), scope) ? next() : next(insufficientScope(scope))),
];

/** The client the console acts for on this request: the session's. */
export const consoleActor = (res: Response): { clientId: string } => ({ clientId: sessionOf(res).clientId });
