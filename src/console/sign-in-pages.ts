import { Router } from 'express';
import { requestFields } from '../lib/log-events.ts';
import { clientAuthAttempt, ipOf } from '../limits/index.ts';
import { sendConsolePage, type ConsoleContext } from './context.ts';
import { crossSiteProblem, csrfRefused } from './csrf.ts';
import type { Sessions } from './session.ts';
import { logSignIn, verifyConsoleClient } from './sign-in.ts';

const field = (body: unknown, name: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim().slice(0, 4096) : '';
};

/** GET/POST sign-in: a Management API client's Client ID and Client Secret start a console session. */
export function signInPages(ctx: ConsoleContext, sessions: Sessions): Router {
  const r = Router();
  const origin = new URL(ctx.issuer).origin;
  const form = (res: Parameters<typeof sendConsolePage>[1], status: number, clientId = '', error?: string) =>
    sendConsolePage(ctx, res, status, 'sign-in', { title: 'Sign in to the console', clientId, error, mainClass: '' });

  r.get('/sign-in', async (req, res) => {
    if (await sessions.current(req)) return res.redirect(303, `${ctx.base}connections`);
    await form(res, 200);
  });
  r.post('/sign-in', async (req, res, next) => {
    // A cross-site form could otherwise sign this browser in as the attacker's client.
    const problem = crossSiteProblem(req, origin);
    if (problem) return next(csrfRefused(problem));
    const clientId = field(req.body, 'client_id');
    // The same guard as /oauth/token, in the same budget: the console is not a second place to guess a secret.
    const attempt = ctx.limits.enabled
      ? await clientAuthAttempt(ctx.limits, ipOf(req), clientId || undefined, requestFields(req))
      : undefined;
    if (attempt?.refused) {
      res.setHeader('Retry-After', String(attempt.refused.retryAfterSeconds));
      return form(res, 429, clientId, `Too many failed sign-ins from this address: try again in ${attempt.refused.retryAfterSeconds} s.`);
    }
    const result = await verifyConsoleClient(ctx.services, ctx.issuer, clientId, field(req.body, 'client_secret'));
    logSignIn(ctx.sink, req, clientId, result);
    if (!result.ok) {
      await attempt?.failed();
      const message = result.reason === 'no_management_grant'
        ? `This client has no grant for the Management API (${ctx.issuer}api/v2/); give it one (POST /api/v2/client-grants) to use the console.`
        : 'Wrong Client ID or Client Secret, or this client cannot use client credentials. Use a machine-to-machine client of the Management API.';
      return form(res, 401, clientId, message);
    }
    await sessions.start(req, res, result.who);
    res.redirect(303, `${ctx.base}connections`);
  });
  return r;
}
