import type { Request, Response } from 'express';
import type { SecretBox } from '../lib/secrets.ts';
import type { LoginMetrics } from '../metrics/types.ts';
import type { InteractionPort } from '../oidc/interactions.ts';
import type { ScriptRunner } from '../sandbox/types.ts';
import type { ConnectionRecord, Store, TransactionRecord, UserRecord } from '../store/types.ts';
import type { DryRunPort, DryRunTrace, TokenTrace } from './dry-run.ts';
import type { EngineOptions } from './engine-options.ts';
import { connectionErrorOf, type ConnectionError } from './errors.ts';
import type { UpstreamProfile } from './profile-script.ts';
import type { LoginTransaction } from './state-store.ts';
import type { UpstreamTokens } from './token-response.ts';
import type { TokenCall } from './upstream-token.ts';

/** The vocabulary of the callback steps (callback-steps.ts) and the loop that runs them. */

/** What one callback has established so far: each step reads what earlier steps set, and adds its own. */
export interface Arrival {
  readonly req: Request;
  readonly res: Response;
  state?: string;
  tx?: TransactionRecord;
  attempt?: LoginTransaction;
  connection?: ConnectionRecord;
  /** The app the login is for (from the authorization request). */
  clientId?: string;
  options?: EngineOptions;
  tokens?: UpstreamTokens;
  profile?: UpstreamProfile;
  /** The user the login wrote (the primary, when the identity is linked). */
  user?: UserRecord;
  userId?: string;
  /** Set when the attempt is a console try: what it has seen so far. */
  trial?: DryRunTrace;
}

/** How a callback ends: the "start again" page, the app's OAuth error, or the way back to the app. */
export type Outcome = { expired: string } | { failed: ConnectionError } | { returnTo: string };

/** What the steps use of the broker. */
export interface CallbackEnv {
  store: Store;
  box: SecretBox;
  runner: ScriptRunner;
  interactions: InteractionPort;
  /** The console's side of tries; absent when the console is not mounted (then no attempt is a try). */
  dryRun: DryRunPort | undefined;
  optionsOf(connection: ConnectionRecord): EngineOptions;
  /** The code exchange's token request of a connection (its URL rendered with the login's template values), all but the grant; `trace` is a try's recorder. */
  tokenCallFor(connection: ConnectionRecord, options: EngineOptions, vars: Record<string, string>, trace?: (t: TokenTrace) => void): Omit<TokenCall, 'grant'>;
  /** Hears each step's duration of a login (not of a try). */
  metrics?: Pick<LoginMetrics, 'step'>;
}

/** One step: undefined to go on, or the outcome that ends the callback. A thrown ConnectionError ends it as that failure. */
export type CallbackStep = (a: Arrival, env: CallbackEnv) => Promise<Outcome | undefined> | Outcome | undefined;

/** A value an earlier step sets; reading it sooner is a mistake in the table's order. */
export function known<K extends keyof Arrival>(a: Arrival, key: K): NonNullable<Arrival[K]> {
  const value = a[key];
  if (value === undefined || value === null) throw new Error(`callback step order: ${key} is read before a step sets it`);
  return value;
}

/** Runs the steps until one ends the callback; says which step that was. Anything but a ConnectionError propagates. */
export async function runCallbackSteps(steps: readonly CallbackStep[], a: Arrival, env: CallbackEnv): Promise<{ outcome: Outcome; step: string }> {
  for (const step of steps) {
    let outcome: Outcome | undefined;
    const started = performance.now();
    try {
      outcome = await step(a, env);
    } catch (err) {
      const failed = connectionErrorOf(err);
      if (!failed) throw err;
      outcome = { failed };
    }
    const ms = performance.now() - started;
    // A try keeps its timings in its trace; a login's go to the step histogram (one observe, no I/O).
    if (a.trial) a.trial.steps.push({ step: step.name, ms: Math.round(ms * 10) / 10, result: outcome ? 'ended' : 'next' });
    else env.metrics?.step(step.name, ms / 1000);
    if (outcome) return { outcome, step: step.name };
  }
  throw new Error('the callback steps ended without an answer (the last step must return an outcome)');
}
