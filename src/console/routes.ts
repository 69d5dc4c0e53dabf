import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { fileURLToPath } from 'node:url';
import type { UrlPolicy } from '../connections/options.ts';
import type { Limits } from '../limits/index.ts';
import type { Config } from '../config/load.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../lib/logger.ts';
import type { SecretBox } from '../lib/secrets.ts';
import type { TenantLogs } from '../logs/index.ts';
import { NO_LOGS } from '../logs/types.ts';
import type { ClientService } from '../management/clients/service.ts';
import type { ManagementFeatures } from '../management/resource.ts';
import type { ManagementServices } from '../management/services.ts';
import type { Store } from '../store/types.ts';
import { connectionPages } from './connection-pages.ts';
import { sendConsolePage, type ConsoleContext } from './context.ts';
import { csrfCheck } from './csrf.ts';
import { logPages } from './log-pages.ts';
import { createSessions, type Sessions } from './session.ts';
import { signInPages } from './sign-in-pages.ts';
import { grantedScopes } from './sign-in.ts';
import { userPages } from './user-pages.ts';

export interface ConsoleDeps {
  config: Config;
  /** The Management API's own services (one instance, built by the app). */
  services: ManagementServices;
  store: Store;
  box: SecretBox;
  logger: Logger;
  clients: ClientService;
  management: ManagementFeatures;
  logs?: TenantLogs;
  /** Rate limits: the sign-in shares /oauth/token's brute-force guard. */
  limits: Limits;
  /** "Try connection" and "Run script" (src/console/try), built where the sandbox and the engine's options are. */
  tryConnection?: ConsolePages;
}

/** Pages after sign-in, each built from the console context. */
export type ConsolePages = (ctx: ConsoleContext) => Router;

/** The console's own pages, in one list. */
const PAGES: readonly ConsolePages[] = [connectionPages, userPages, logPages];

/**
 * The mount point for pages other parts add to the console, such as "Try connection"
 * (`connections/:id/try`) and "Run script" (`connections/:id/run-script`; the connection
 * page links to both): each runs after sign-in and CSRF checks, with the same context as
 * the console's own pages. Adding one is one line here.
 */
const CONSOLE_EXTRAS = (deps: ConsoleDeps): readonly ConsolePages[] => [
  ...(deps.tryConnection ? [deps.tryConnection] : []),
];

const ASSETS = fileURLToPath(new URL('../../public/console/', import.meta.url));

/** Console pages may run their own script file; nothing inline, nothing from elsewhere. */
function consoleHeaders(allowHttpImages: boolean) {
  const csp = `default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src https: data:${allowHttpImages ? ' http:' : ''}; `
    + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('content-security-policy', csp);
    // The Origin header a same-origin form post carries is what the CSRF check reads; no-referrer would make it "null".
    res.setHeader('referrer-policy', 'same-origin');
    next();
  };
}

/** Express's own 4xx errors (a missing asset, a form over the size limit) as AppErrors that say what happened. */
function httpError(err: unknown): AppError | undefined {
  const status = (err as { status?: unknown }).status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 404) return new AppError(404, 'not_found', 'No such console file');
  if (status === 413) return new AppError(413, 'payload_too_large', 'The form is larger than the console accepts (512 KB); nothing was changed. Shorten the script or the headers.');
  return new AppError(status, 'bad_request', 'The request could not be read; nothing was changed. Reload the page and try again.');
}

/** The admin console at <ISSUER>admin/: sign-in with a Management API client, then its pages. */
export function consoleRouter(deps: ConsoleDeps): Router {
  const { config } = deps;
  const issuerUrl = new URL(config.issuer);
  const base = `${issuerUrl.pathname}admin/`;
  const ctx: ConsoleContext = {
    services: deps.services,
    urlPolicy: deps.management.urlPolicy satisfies UrlPolicy,
    issuer: config.issuer,
    base,
    sink: deps.logs?.sink ?? NO_LOGS,
    logs: deps.logs,
    limits: deps.limits,
  };
  const sessions: Sessions = createSessions({
    store: deps.store, idleSeconds: config.CONSOLE_IDLE_TIMEOUT, absoluteSeconds: config.CONSOLE_ABSOLUTE_TIMEOUT,
    secure: issuerUrl.protocol === 'https:', path: base,
  });

  const r = Router();
  r.use(consoleHeaders(config.ALLOW_INSECURE_UPSTREAMS));
  r.use('/assets', express.static(ASSETS, { index: false, fallthrough: false, maxAge: 0 }));
  r.use(express.urlencoded({ extended: false, limit: '512kb', parameterLimit: 200 }));
  r.use(signInPages(ctx, sessions));

  // Everything below needs a live session; a page request without one goes to the sign-in form.
  r.use(async (req, res, next) => {
    const session = await sessions.current(req);
    const scopes = session && await grantedScopes(ctx.services, config.issuer, session.clientId);
    if (session && !scopes) await sessions.end(req, res);
    if (!session || !scopes) {
      if (req.method === 'GET') return res.redirect(303, `${base}sign-in`);
      return next(new AppError(401, 'console_signed_out', 'Your console session ended (signed out or timed out); sign in again. Nothing was changed.'));
    }
    res.locals['console'] = { ...session, scopes };
    next();
  });
  r.use(csrfCheck(issuerUrl.origin));
  r.get('/', (_req, res) => res.redirect(303, `${base}connections`));
  r.post('/sign-out', async (req, res) => {
    await sessions.end(req, res);
    res.redirect(303, `${base}sign-in`);
  });
  for (const pages of [...PAGES, ...CONSOLE_EXTRAS(deps)]) r.use(pages(ctx));
  r.use((req, _res, next) => next(new AppError(404, 'not_found', `No console page at ${req.path}`)));
  r.use(async (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const known = err instanceof AppError ? err : httpError(err);
    if (!known) deps.logger.error({ err: { message: (err as Error).message } }, 'console: unexpected error');
    await sendConsolePage(ctx, res, known?.status ?? 500, 'error', {
      title: 'Console error', heading: known?.status === 403 ? 'Not allowed' : 'Something went wrong',
      message: known?.message ?? 'An unexpected error happened; nothing was changed. The server log has the details.', code: known?.code ?? 'server_error',
    });
  });
  return r;
}
