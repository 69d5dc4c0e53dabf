import type { Request } from 'express';
import type { ScriptTrace } from '../sandbox/types.ts';
import type { ConnectionRecord, LoginUpsert } from '../store/types.ts';
import type { ConnectionError } from './errors.ts';
import type { LoginStartInfo } from './types.ts';

/**
 * A dry run ("Try" in the console): the real login through the same engine, for the built-in
 * tester client, ending at a report instead of a user. The mark that makes a login a try is
 * a ticket the console issued server-side and bound to the admin's browser; the login
 * transaction carries its id, so no parameter an app sends can turn a login into a try.
 */

/** The built-in tester client's id: only tries started from the console may use it. */
export const TRY_CLIENT_ID = 'brokerid-connection-tester';

/** What the token request looked like: names only, never a value of a secret. */
export interface TokenTrace {
  method: string;
  /** The token URL without query values. */
  url: string;
  headerNames: string[];
  paramNames: string[];
  status?: number;
  contentType?: string;
  /** Top-level keys of the token response. */
  keys?: string[];
  /** Why there was no answer. */
  error?: string;
  ms: number;
}

/** One callback step as a try saw it. */
export interface StepTiming {
  step: string;
  ms: number;
  /** `next`: went on; `ended`: ended the callback (the last step, or a failure). */
  result: 'next' | 'ended';
}

/** What a try collects while it runs through the callback steps. */
export interface DryRunTrace {
  ticket: string;
  steps: StepTiming[];
  token?: TokenTrace;
  script?: ScriptTrace;
  /** The profile as the script returned it (before validation). */
  scriptProfile?: Record<string, unknown>;
  /** The user write a real login would make (never made). */
  preview?: LoginUpsert;
  /** Values of this run that must never be shown (code, upstream tokens, state). */
  secrets: string[];
}

/** How a try ended, as the broker hands it to the console. */
export interface DryRunOutcome {
  connection: ConnectionRecord;
  trace: DryRunTrace;
  /** The step that failed and why; absent on success. */
  failure?: { step: string; error: ConnectionError };
}

/** The console's side of a dry run, as the broker uses it. */
export interface DryRunPort {
  /** A login of the tester client is starting: resolves the try's ticket id, or undefined when it is no valid try. */
  begin(req: Request, info: LoginStartInfo, connection: ConnectionRecord): Promise<string | undefined>;
  /** The upstream authorization request as sent (recorded on the ticket). */
  authorized(ticket: string, url: string): void;
  /** Stores the report of a finished try; resolves the result page's URL. */
  report(outcome: DryRunOutcome): Promise<string>;
}

/** Keys of a token response whose values are credentials (access_token, id_token, refresh_token, code, secret...). */
const SECRET_KEY = /token$|secret|password|assertion|^code$|key$/i;

/** Every credential value in a token response (nested too): what a trace must never show. */
export function secretValuesOf(raw: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (v: unknown, secret: boolean): void => {
    if (typeof v === 'string') {
      if (secret) out.push(v);
    } else if (v && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) walk(item, secret || SECRET_KEY.test(k));
    }
  };
  walk(raw, false);
  return out;
}
