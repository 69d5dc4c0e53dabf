import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors/app-error.ts';
import { sessionOf } from './actions.ts';
import { sameSecret } from './session.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The CSRF refusal: nothing was changed, and the page says how to retry. */
const refused = (why: string): AppError => new AppError(403, 'csrf_failed', `${why}; nothing was changed. Reload the console page and submit the form again.`);

/** Why a request is not from this server's own pages (Origin, or Sec-Fetch-Site when Origin is absent); undefined when it is. */
export function crossSiteProblem(req: Request, origin: string): string | undefined {
  const sent = req.get('origin');
  if (sent !== undefined && sent !== origin) return `This request came from ${sent.slice(0, 100)}, not from ${origin}`;
  const fetchSite = req.get('sec-fetch-site');
  if (sent === undefined && fetchSite !== undefined && fetchSite !== 'same-origin') return 'This request came from another site';
  return undefined;
}

/** The CSRF refusal as an error (also for the sign-in form, which has no session yet). */
export const csrfRefused = refused;

/**
 * CSRF protection of every state-changing console request, after the session is known: the
 * Origin header must be this server's (a browser always sends it on a cross-site POST), and
 * the form must echo the session's synchronizer token (`_csrf`). Either alone would do
 * against today's browsers; both together survive a proxy that drops Origin.
 */
export function csrfCheck(origin: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE.has(req.method)) return next();
    const problem = crossSiteProblem(req, origin);
    if (problem) return next(refused(problem));
    const token = (req.body as Record<string, unknown> | undefined)?.['_csrf'];
    if (typeof token !== 'string' || !sameSecret(token, sessionOf(res).csrf)) return next(refused('The form\'s security token is missing or out of date'));
    next();
  };
}
