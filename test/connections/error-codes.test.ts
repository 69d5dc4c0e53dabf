import type { Request } from 'express';
import { upstreamError } from '../../src/connections/callback-checks.ts';
import { CONNECTION_ERRORS } from '../../src/connections/error-codes.ts';
import { ConnectionError } from '../../src/connections/errors.ts';
import { tokenFailure } from '../../src/connections/token-errors.ts';

const callback = (query: Record<string, string>) => ({ query }) as unknown as Request;

describe('connection error codes', () => {
  it('the app error follows from the code, as the catalogue says', () => {
    for (const [code, appError] of Object.entries(CONNECTION_ERRORS)) {
      expect(new ConnectionError(code as keyof typeof CONNECTION_ERRORS, 'x').appError).toBe(appError);
    }
  });

  it('an upstream error keeps its code stable and carries the provider text apart', () => {
    const odd = upstreamError(callback({ error: 'weird_thing', error_description: 'nope' }), 'acme');
    expect([odd?.code, odd?.providerError, odd?.appError]).toEqual(['upstream_error', 'weird_thing', 'access_denied']);
    const busy = upstreamError(callback({ error: 'temporarily_unavailable' }), 'acme');
    expect([busy?.code, busy?.appError]).toEqual(['upstream_unavailable', 'temporarily_unavailable']);
  });

  it('a token endpoint error is token_error whatever the provider calls it; a rejected refresh token has its own code', () => {
    const code = tokenFailure('acme', 400, { error: 'bad_verification_code' }, 'https://id.example/login/callback');
    expect([code.code, code.providerError]).toEqual(['token_error', 'bad_verification_code']);
    const refresh = tokenFailure('acme', 400, { error: 'invalid_grant' }, 'https://id.example/login/callback', 'refresh_token');
    expect([refresh.code, refresh.providerError]).toEqual(['refresh_token_rejected', 'invalid_grant']);
  });
});
