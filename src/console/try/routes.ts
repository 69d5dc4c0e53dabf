import { createHash, randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config/load.ts';
import { TRY_CLIENT_ID } from '../../connections/dry-run.ts';
import type { EngineOptions } from '../../connections/engine-options.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ClientService } from '../../management/clients/service.ts';
import type { ScriptRunner } from '../../sandbox/types.ts';
import type { ConnectionRecord, Store } from '../../store/types.ts';
import { sendConsolePage, type ConsoleContext } from '../context.ts';
import type { ConsolePages } from '../routes.ts';
import { consoleActor, sessionGuard as guard } from './guard.ts';
import { parseTokenResponse, runScript, RunScriptFormSchema, type RunScriptResult } from './run-script.ts';
import { ensureTesterClient, testerCallback } from './tester-client.ts';
import { issueTicket, readReport } from './tickets.ts';

export interface TryDeps {
  config: Config;
  store: Store;
  clients: ClientService;
  runner: ScriptRunner;
  optionsOf(connection: ConnectionRecord): EngineOptions;
}

const REPORT_ID = /^tryr\.[A-Za-z0-9_-]{32}$/;

const notFound = (message: string): AppError => new AppError(404, 'not_found', message);

/**
 * "Try connection" and "Run script", console pages (after its sign-in, session and CSRF
 * checks): GET connections/:id/try starts a dry run, connections/:id/try/result/:report shows
 * it, connections/:id/run-script runs a script by hand, and connections/try/callback is where
 * the tester client's login would return (a try never gets there unless /authorize refuses it).
 */
export const tryPages = (deps: TryDeps): ConsolePages => (ctx) => tryRoutes(deps, ctx);

function tryRoutes(deps: TryDeps, ctx: ConsoleContext): Router {
  const { config, store } = deps;
  const r = Router();
  const secure = config.issuer.startsWith('https:');
  const send = (res: Response, status: number, view: string, data: Record<string, unknown> & { title: string }): Promise<void> =>
    sendConsolePage(ctx, res, status, view, data);

  async function oauth2Connection(req: Request): Promise<ConnectionRecord> {
    const connection = await store.connections.get(String(req.params['id']));
    if (connection?.strategy === 'oauth2') return connection;
    throw notFound(`There is no custom (oauth2) connection with id "${String(req.params['id']).slice(0, 100)}".`);
  }

  r.get('/connections/try/callback', (req, res) => send(res, 200, 'try-callback', {
    title: 'Try ended', failure: String(req.query['error'] ?? '').slice(0, 100), description: String(req.query['error_description'] ?? '').slice(0, 500),
  }));

  r.get('/connections/:id/try', ...guard('read:connections'), async (req, res) => {
    const connection = await oauth2Connection(req);
    await ensureTesterClient(store, deps.clients, config.issuer);
    const ticket = await issueTicket(store, res, { connectionId: connection.id, owner: consoleActor(res).clientId, ttlSeconds: config.LOGIN_TTL, secure });
    // The tester's own PKCE pair: required of every client here, though its code is never redeemed.
    const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
    const url = new URL(`${config.issuer}authorize`);
    for (const [k, v] of Object.entries({
      client_id: TRY_CLIENT_ID, response_type: 'code', redirect_uri: testerCallback(config.issuer), scope: 'openid profile email',
      connection: connection.name, state: ticket, code_challenge: challenge, code_challenge_method: 'S256', prompt: 'login',
    })) url.searchParams.set(k, v);
    res.redirect(303, url.toString());
  });

  r.get('/connections/:id/try/result/:report', ...guard('read:connections'), async (req, res) => {
    const id = String(req.params['report']);
    const stored = REPORT_ID.test(id) ? await readReport(store, id, String(req.params['id'])) : undefined;
    if (!stored || (stored.owner && stored.owner !== consoleActor(res).clientId)) {
      throw notFound('This try\'s result is unknown or has expired (results are kept 15 minutes). Try the connection again.');
    }
    await send(res, 200, 'try-result', { title: 'Try connection: result', report: stored.report });
  });

  const scriptPage = async (res: Response, status: number, connection: ConnectionRecord, script: string, extra: { result?: RunScriptResult; problem?: string } = {}) =>
    send(res, status, 'try-run-script', { title: `Run script: ${connection.name}`, connection: { id: connection.id, name: connection.name }, script, ...extra });

  const savedScript = (connection: ConnectionRecord): { script: string; options: EngineOptions | undefined } => {
    try {
      const options = deps.optionsOf(connection);
      return { script: options.scripts?.fetchUserProfile ?? '', options };
    } catch {
      return { script: '', options: undefined };
    }
  };

  r.get('/connections/:id/run-script', ...guard('update:connections'), async (req, res) => {
    const connection = await oauth2Connection(req);
    await scriptPage(res, 200, connection, savedScript(connection).script);
  });

  // The console router has parsed the form (512 KB) and checked its Origin and CSRF token by now.
  r.post('/connections/:id/run-script', ...guard('update:connections'), async (req, res) => {
    const connection = await oauth2Connection(req);
    const saved = savedScript(connection);
    const parsed = RunScriptFormSchema.safeParse(req.body ?? {});
    if (!parsed.success) return scriptPage(res, 400, connection, saved.script, { problem: 'The form is too large: the script may have 100,000 characters, the token 16 KB, the token response 64 KB.' });
    const script = parsed.data.script?.trim() ? parsed.data.script : saved.script;
    const accessToken = parsed.data.access_token ?? '';
    const tokenResponse = parseTokenResponse(parsed.data.token_response);
    if (!tokenResponse.ok) return scriptPage(res, 400, connection, script, { problem: tokenResponse.message });
    if (!accessToken && typeof tokenResponse.value['access_token'] !== 'string') {
      return scriptPage(res, 400, connection, script, { problem: 'Paste an access token (or a token response with an access_token).' });
    }
    const token = accessToken || String(tokenResponse.value['access_token']);
    const result = await runScript(deps.runner, { connectionId: connection.id, script, accessToken: token, tokenResponse: tokenResponse.value, options: saved.options });
    await scriptPage(res, 200, connection, script, { result });
  });
  return r;
}
