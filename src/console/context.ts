import type { Response } from 'express';
import type { UrlPolicy } from '../connections/options.ts';
import { renderPage } from '../lib/render.ts';
import type { TenantLogs } from '../logs/index.ts';
import type { Limits } from '../limits/index.ts';
import type { LogSink } from '../logs/types.ts';
import type { ManagementServices } from '../management/services.ts';
import { can } from './actions.ts';
import type { ConsoleSession } from './session.ts';

/** Everything console pages are built from; they reach data only through `services` (and the log repo for reading logs). */
export interface ConsoleContext {
  services: ManagementServices;
  urlPolicy: UrlPolicy;
  issuer: string;
  /** The console's base path with trailing slash, e.g. `/admin/`. */
  base: string;
  sink: LogSink;
  logs: TenantLogs | undefined;
  /** The brute-force guard the console's sign-in shares with /oauth/token (one budget per client and IP). */
  limits: Limits;
}

/** Renders one console page in the shared layout, with the session's permissions and CSRF token. */
export async function sendConsolePage(ctx: ConsoleContext, res: Response, status: number, view: string,
  data: Record<string, unknown> & { title: string }): Promise<void> {
  const session = res.locals['console'] as ConsoleSession | undefined;
  const html = await renderPage(`console/${view}`, {
    mainClass: 'console', referrer: 'same-origin', stylesheet: `${ctx.base}assets/console.css`, script: `${ctx.base}assets/console.js`,
    base: ctx.base, session, csrf: session?.csrf ?? '', can: (scope: string) => !!session && can(session, scope),
    error: undefined, notice: undefined, ...data,
  });
  res.status(status).type('html').send(html);
}
