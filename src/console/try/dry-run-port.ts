import type { DryRunOutcome, DryRunPort } from '../../connections/dry-run.ts';
import type { EngineOptions } from '../../connections/engine-options.ts';
import { callbackUrl } from '../../connections/upstream-urls.ts';
import type { Logger } from '../../lib/logger.ts';
import { identityKey, type ConnectionRecord, type Store } from '../../store/types.ts';
import { MASK } from './mask.ts';
import { buildReport } from './report.ts';
import { holdsTicket, putReport, readTicket, saveTicket, takeTicket, type AuthorizeTrace } from './tickets.ts';

/** One-time values of the upstream authorization request: their values never reach a page. */
const ONE_TIME_PARAMS: ReadonlySet<string> = new Set(['state', 'code_challenge', 'nonce']);

export interface DryRunDeps {
  store: Store;
  issuer: string;
  logger: Logger;
  optionsOf(connection: ConnectionRecord): EngineOptions;
}

/** The result page of a stored report. */
export const resultPath = (connectionId: string, reportId: string): string =>
  `admin/connections/${encodeURIComponent(connectionId)}/try/result/${encodeURIComponent(reportId)}`;

/** The console's side of a dry run (see DryRunPort): tickets in, reports out. */
export function createDryRunPort(deps: DryRunDeps): DryRunPort {
  const { store, issuer, logger } = deps;
  const optionsOrNone = (c: ConnectionRecord): EngineOptions | undefined => {
    try {
      return deps.optionsOf(c);
    } catch {
      return undefined; // the report then says what failed; masking has no secret to know of
    }
  };

  return {
    async begin(req, info, connection) {
      const ticket = await readTicket(store, info.params['state']);
      if (!ticket || ticket.connectionId !== connection.id || !holdsTicket(req, ticket)) return undefined;
      return ticket.id;
    },

    authorized(ticketId, url) {
      const u = new URL(url);
      const authorize: AuthorizeTrace = {
        endpoint: `${u.origin}${u.pathname}`,
        params: [...u.searchParams].map(([name, value]) => ({ name, value: ONE_TIME_PARAMS.has(name) ? MASK : value })),
        at: Date.now(),
      };
      // Recorded beside the redirect, not before it: a lost record only leaves this part of the trace empty.
      void (async () => {
        const ticket = await readTicket(store, ticketId);
        if (ticket) await saveTicket(store, { ...ticket, authorize });
      })().catch((err: unknown) => logger.warn({ err }, 'try: cannot record the authorization request'));
    },

    async report(outcome: DryRunOutcome) {
      const { connection } = outcome;
      const ticket = await takeTicket(store, outcome.trace.ticket);
      const options = optionsOrNone(connection);
      const preview = outcome.trace.preview;
      // After account linking the identity may belong to another (primary) user: look it up by identity.
      const userExists = preview ? (await store.users.getByIdentity(identityKey(preview.identity))) !== null : false;
      const report = buildReport({
        outcome, options, authorize: ticket?.authorize, userExists,
        redirectUri: callbackUrl(issuer, connection.name, options ?? { unique_callback: false }),
      });
      const id = await putReport(store, connection.id, ticket?.owner ?? '', report);
      return `${issuer}${resultPath(connection.id, id)}`;
    },
  };
}
