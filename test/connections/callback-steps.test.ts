import type { Request, Response } from 'express';
import { runCallbackSteps, type Arrival, type CallbackEnv, type CallbackStep } from '../../src/connections/callback-runner.ts';
import { CALLBACK_STEPS } from '../../src/connections/callback-steps.ts';
import { ConnectionError } from '../../src/connections/errors.ts';

const arrival = (): Arrival => ({ req: { query: {} } as unknown as Request, res: {} as Response });
const env = {} as CallbackEnv;

describe('callback steps', () => {
  it('runs in the documented order: attempt, arrival checks, exchange, profile, complete', () => {
    expect(CALLBACK_STEPS.map((s) => s.name)).toEqual([
      'readState', 'loadAttempt', 'checkBrowserBinding', 'checkCallbackAddress', 'loadConnection', 'checkUpstreamError',
      'checkCode', 'loadOptions', 'checkIssuer', 'checkProfileScript', 'exchangeCode', 'runProfile', 'refuseBlockedUser', 'saveUser', 'complete',
    ]);
  });

  it('stops at the first step with an outcome and names it; later steps do not run', async () => {
    const ran: string[] = [];
    const goOn: CallbackStep = function goOn() { ran.push('goOn'); return undefined; };
    const stop: CallbackStep = function stop() { ran.push('stop'); return { expired: 'gone' }; };
    const never: CallbackStep = function never() { ran.push('never'); return { returnTo: 'x' }; };
    expect(await runCallbackSteps([goOn, stop, never], arrival(), env)).toEqual({ outcome: { expired: 'gone' }, step: 'stop' });
    expect(ran).toEqual(['goOn', 'stop']);
  });

  it('a thrown ConnectionError, also inside passport\'s wrapper, is that step\'s failure; anything else propagates', async () => {
    const err = new ConnectionError('token_error', 'no');
    const wrapped: CallbackStep = function exchange() { throw Object.assign(new Error('Failed to obtain access token'), { oauthError: err }); };
    expect(await runCallbackSteps([wrapped], arrival(), env)).toEqual({ outcome: { failed: err }, step: 'exchange' });
    const broken: CallbackStep = () => { throw new Error('store down'); };
    await expect(runCallbackSteps([broken], arrival(), env)).rejects.toThrow('store down');
  });

  it('the real first step refuses a malformed state before any lookup', async () => {
    const stepsBeforeStore = CALLBACK_STEPS.slice(0, 2);
    const a: Arrival = { req: { query: { state: 'short' } } as unknown as Request, res: {} as Response };
    expect(await runCallbackSteps(stepsBeforeStore, a, env)).toEqual({ outcome: { expired: 'This sign-in link has expired or was already used.' }, step: 'readState' });
  });
});
