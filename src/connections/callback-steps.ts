import { sealIdentityTokens } from '../users/identity-tokens.ts';
import { loginUpsert, socialIdentityId, socialUserId } from '../users/profile.ts';
import { callbackPath, issuerMismatch, stateOf, upstreamError } from './callback-checks.ts';
import { known, type Arrival, type CallbackEnv, type CallbackStep, type Outcome } from './callback-runner.ts';
import type { ScriptResult } from '../sandbox/types.ts';
import { secretValuesOf, type DryRunPort } from './dry-run.ts';
import { ConnectionError, connectionErrorOf } from './errors.ts';
import { fetchProfile, profileScriptOf } from './profile-script.ts';
import { attemptOf, BIND_COOKIE_PREFIX, browserMatches } from './state-store.ts';
import { requestTokens } from './upstream-token.ts';
import { CALLBACK_PATH } from './upstream-urls.ts';

/**
 * The way back from the provider, as a table of small steps (like oidc-provider's
 * lib/actions/authorization): each step either goes on or ends the callback with an
 * outcome, so the order of the checks is visible at a glance and a new step (a rate limit,
 * a log event) is one more line in CALLBACK_STEPS.
 */

const EXPIRED_LINK = 'This sign-in link has expired or was already used.';

/** The state must have the shape this server issues; anything else is refused before any lookup. */
function readState(a: Arrival): Outcome | undefined {
  a.state = stateOf(a.req);
  return a.state ? undefined : { expired: EXPIRED_LINK };
}

/** Takes the login attempt (single use): a replayed or unknown state finds nothing. */
async function loadAttempt(a: Arrival, env: CallbackEnv): Promise<Outcome | undefined> {
  const tx = await env.store.transactions.take(known(a, 'state'));
  const attempt = tx ? attemptOf(tx) : undefined;
  if (!tx || !attempt) return { expired: EXPIRED_LINK };
  a.tx = tx;
  a.attempt = attempt;
  // A try only when the console that issued its ticket is here; the mark came from our own record, never the request.
  if (attempt.try && env.dryRun) a.trial = { ticket: attempt.try, steps: [], secrets: [a.state ?? '', attempt.verifier ?? ''] };
  return undefined;
}

/** The browser coming back must hold the binding cookie of the browser that left. */
async function checkBrowserBinding(a: Arrival, env: CallbackEnv): Promise<Outcome | undefined> {
  const state = known(a, 'state');
  if (!browserMatches(a.req, state, known(a, 'attempt'))) {
    // Put it back: whoever replayed the link must not cancel the rightful browser's sign-in.
    await env.store.transactions.put(known(a, 'tx'));
    return { expired: 'This sign-in was started in another browser or tab session.' };
  }
  a.res.clearCookie(`${BIND_COOKIE_PREFIX}${state}`, { path: CALLBACK_PATH });
  return undefined;
}

/** The answer must arrive on the callback address the attempt left with (per-connection callbacks). */
function checkCallbackAddress(a: Arrival): Outcome | undefined {
  const { redirectUri } = known(a, 'attempt');
  if (redirectUri && new URL(redirectUri).pathname !== callbackPath(a.req)) {
    return { expired: 'This sign-in came back through another connection\'s callback address; the code was not used.' };
  }
  return undefined;
}

/** The connection and the app's authorization request must both still exist. */
async function loadConnection(a: Arrival, env: CallbackEnv): Promise<Outcome | undefined> {
  const connection = await env.store.connections.get(known(a, 'tx').connection_id);
  const interaction = await env.interactions.find(known(a, 'attempt').uid);
  if (!connection || !interaction) return { expired: connection ? 'The sign-in took too long.' : 'The connection was removed while you were signing in.' };
  a.connection = connection;
  a.clientId = interaction.clientId;
  return undefined;
}

/** An `error` from the provider goes to the app. */
function checkUpstreamError(a: Arrival): Outcome | undefined {
  const failed = upstreamError(a.req, known(a, 'connection').name);
  return failed ? { failed } : undefined;
}

/** Without a code there is nothing to exchange. */
function checkCode(a: Arrival): Outcome | undefined {
  if (typeof a.req.query['code'] === 'string') return undefined;
  return { failed: new ConnectionError('no_code', `connection "${known(a, 'connection').name}": the provider came back without a code`) };
}

/** The connection's resolved options (cached per version). */
function loadOptions(a: Arrival, env: CallbackEnv): Outcome | undefined {
  try {
    a.options = env.optionsOf(known(a, 'connection'));
    return undefined;
  } catch (err) {
    return { failed: connectionErrorOf(err) ?? new ConnectionError('invalid_options', String(err)) };
  }
}

/** RFC 9207: an `iss` that is not the connection's issuer means a mix-up; the code is never sent. */
function checkIssuer(a: Arrival): Outcome | undefined {
  const mixedUp = issuerMismatch(a.req, known(a, 'connection').name, known(a, 'options'));
  return mixedUp ? { failed: mixedUp } : undefined;
}

/** Without a profile script the login cannot end in a user: the code is not even exchanged. */
function checkProfileScript(a: Arrival): undefined {
  profileScriptOf(known(a, 'connection'), known(a, 'options'));
  return undefined;
}

/**
 * The code goes to the token endpoint, with the attempt's PKCE verifier and the callback
 * address it left with. The engine's own token request, as for refreshes: by now the steps
 * above have done all passport's callback side did (state, provider error, code), and
 * building a strategy per callback to reach this one call cost more than the call's own work.
 */
async function exchangeCode(a: Arrival, env: CallbackEnv): Promise<undefined> {
  const attempt = known(a, 'attempt');
  const trial = a.trial;
  const code = String(a.req.query['code']); // checkCode: a string
  if (trial) trial.secrets.push(code);
  const call = env.tokenCallFor(known(a, 'connection'), known(a, 'options'), attempt.vars, trial ? (t) => (trial.token = t) : undefined);
  a.tokens = await requestTokens({
    ...call, grant: { grant_type: 'authorization_code', code, redirect_uri: call.redirectUri, ...(attempt.verifier ? { code_verifier: attempt.verifier } : {}) },
  });
  if (trial) trial.secrets.push(a.tokens.accessToken, a.tokens.refreshToken ?? '', a.tokens.idToken ?? '', ...secretValuesOf(a.tokens.raw));
  return undefined;
}

/** fetchUserProfile turns the tokens into a validated profile, in the sandbox. */
async function runProfile(a: Arrival, env: CallbackEnv): Promise<undefined> {
  const connection = known(a, 'connection');
  a.profile = await fetchProfile(env.runner, {
    connection: connection.name, cacheKey: `${connection.id}:${connection.version}`, script: profileScriptOf(connection, known(a, 'options')),
    tokens: known(a, 'tokens'), vars: known(a, 'attempt').vars,
    ...(a.trial ? { trace: traceInto(a.trial) } : {}),
  });
  return undefined;
}

/** A blocked user (the one holding this identity) gets access_denied and no code; nothing is written. */
async function refuseBlockedUser(a: Arrival, env: CallbackEnv): Promise<Outcome | undefined> {
  const connection = known(a, 'connection');
  // The identity's key is the id of the user it stands for when not linked (socialUserId).
  const key = socialUserId(connection.name, known(a, 'profile').user_id);
  const user = await env.store.users.getByIdentity(key);
  return user?.blocked ? { failed: new ConnectionError('user_blocked', 'user is blocked') } : undefined;
}

const traceInto = (trial: NonNullable<Arrival['trial']>) => (result: ScriptResult): void => {
  if (result.trace) trial.script = result.trace;
  if (result.ok) trial.scriptProfile = result.profile;
};

/** The user and its identity (with the sealed upstream tokens) in one write; a try only keeps the write it would make. */
async function saveUser(a: Arrival, env: CallbackEnv): Promise<Outcome | undefined> {
  const connection = known(a, 'connection');
  const profile = known(a, 'profile');
  const identity = { provider: 'oauth2', user_id: socialIdentityId(connection.name, profile.user_id), connection: connection.name };
  const upsert = loginUpsert({
    connection: connection.name, profile, tokens: a.trial ? {} : sealIdentityTokens(env.box, identity, known(a, 'tokens')),
    vars: known(a, 'attempt').vars, setRootAttributes: known(a, 'options').set_user_root_attributes,
  });
  if ('error' in upsert) return { failed: new ConnectionError('profile_too_large', `connection "${connection.name}": fetchUserProfile returned ${upsert.error}`) };
  if (a.trial) {
    a.trial.preview = upsert;
    return undefined;
  }
  // The user holding the identity: after account linking, the primary.
  const { user } = await env.store.users.upsertLogin(upsert);
  a.user = user;
  a.userId = user.user_id;
  return undefined;
}

/** A try ends here instead of signing anyone in: the console stores its report and shows it. */
async function report(a: Arrival, env: CallbackEnv, trial: NonNullable<Arrival['trial']>, port: DryRunPort): Promise<Outcome> {
  return { returnTo: await port.report({ connection: known(a, 'connection'), trace: trial }) };
}

/** Hands the signed-in user to oidc-provider, which answers the app; a try's report step takes its place. */
async function complete(a: Arrival, env: CallbackEnv): Promise<Outcome> {
  if (a.trial && env.dryRun) return report(a, env, a.trial, env.dryRun);
  const returnTo = await env.interactions.finish(known(a, 'attempt').uid, { login: { accountId: known(a, 'userId') } });
  return returnTo ? { returnTo } : { expired: 'The sign-in took too long.' };
}

/** The callback, in order: load the attempt, the arrival checks, exchange, profile, complete. */
export const CALLBACK_STEPS: readonly CallbackStep[] = [
  readState,
  loadAttempt,
  checkBrowserBinding,
  checkCallbackAddress,
  loadConnection,
  checkUpstreamError,
  checkCode,
  loadOptions,
  checkIssuer,
  checkProfileScript,
  exchangeCode,
  runProfile,
  refuseBlockedUser,
  saveUser,
  complete,
];
