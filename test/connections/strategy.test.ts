import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Request, Response } from 'express';
import passport from 'passport';
import type { Store } from '../../src/store/types.ts';
import { transactionStateStore } from '../../src/connections/state-store.ts';
import { BrokerStrategy } from '../../src/connections/strategy.ts';

/**
 * The way back is the broker's callback steps; passport only builds the way out. A request
 * carrying a code that reached the strategy anyway must end in a failure without any request
 * to the token endpoint (node-oauth's HTTP layer has no timeout and no size limit).
 */

let upstream: Server;
let hits = 0;
let tokenURL = '';
beforeAll(async () => {
  upstream = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"at","token_type":"Bearer"}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  tokenURL = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/token`;
});
afterAll(async () => {
  await new Promise((resolve) => upstream.close(resolve));
});

describe('BrokerStrategy', () => {
  it('refuses a callback (code and state) without calling the token endpoint', async () => {
    const strategy = new BrokerStrategy({
      authorizationURL: 'http://127.0.0.1:1/authorize', tokenURL, clientID: 'c', callbackURL: 'http://127.0.0.1:2/login/callback', pkce: true,
      authorizeParams: {},
      stateStore: transactionStateStore({} as Store, 60, false, { uid: 'u', connectionId: 'con_1', connection: 'acme', vars: {}, redirectUri: 'x', res: {} as Response }),
    });
    const req = { query: { code: 'the-code', state: 'the-state' }, body: {}, headers: {}, url: '/login/callback' } as unknown as Request;
    const outcome = await new Promise<{ err: unknown; user: unknown }>((resolve) => {
      passport.authenticate(strategy, { session: false }, (err: unknown, user: unknown) => resolve({ err, user }))(req, {} as Response, (err: unknown) => resolve({ err, user: undefined }));
    });
    expect(outcome.user).toBeFalsy();
    expect(hits).toBe(0);
  });
});
