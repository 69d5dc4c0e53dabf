import { describe, expect, test } from '@jest/globals';
import { ConnectionError } from '../../src/connections/errors.ts';
import { tokenFailure } from '../../src/connections/token-errors.ts';
import { upstreamError } from '../../src/connections/callback-checks.ts';
import { fixFor, type FixContext } from '../../src/console/try/fixes.ts';
import { masker, MASK } from '../../src/console/try/mask.ts';
import type { Request } from 'express';

const REDIRECT = 'https://id.example.com/login/callback';
const options: FixContext['options'] = { token_endpoint_auth_method: 'client_secret_post', pkce_enabled: false, scope: ['openid', 'email'] };

/** The context a real broker error produces (so the catalogue is tested against the engine's own messages). */
const ctx = (err: ConnectionError, step: FixContext['step']): FixContext => ({
  code: err.code, step, message: err.message, redirectUri: REDIRECT, options, ...(err.providerError ? { providerError: err.providerError } : {}),
});
const atAuthorize = (query: Record<string, string>) => upstreamError({ query } as unknown as Request, 'acme')!;

describe('the cause -> fix catalogue', () => {
  test('redirect_uri_mismatch names the exact URL to register (authorize and token alike)', () => {
    for (const err of [atAuthorize({ error: 'redirect_uri_mismatch' }), tokenFailure('acme', 400, { error: 'redirect_uri_mismatch' }, REDIRECT)]) {
      expect(fixFor(ctx(err, 'token request'))).toMatchObject({ registerUrl: REDIRECT, cause: expect.stringContaining('callback URL') });
    }
    // Microsoft's page text names it by AADSTS code only.
    expect(fixFor(ctx(tokenFailure('acme', 400, { error: 'invalid_request', error_description: 'AADSTS50011: The redirect URI ... does not match' }, REDIRECT), 'token request')).registerUrl).toBe(REDIRECT);
  });

  test('invalid_client (and a bare 401) point at the credentials and the other auth method', () => {
    for (const err of [tokenFailure('acme', 401, { error: 'invalid_client' }, REDIRECT), tokenFailure('acme', 401, { error: 'unauthorized_client' }, REDIRECT),
      tokenFailure('acme', 200, { error: 'incorrect_client_credentials' }, REDIRECT)]) {
      const fix = fixFor(ctx(err, 'token request'));
      expect(fix.fixes.join(' ')).toContain('Client ID and Client Secret');
      expect(fix.fixes.join(' ')).toContain('switch to client_secret_basic (HTTP Basic)');
    }
  });

  test('admin consent, scopes and PKCE', () => {
    const consent = atAuthorize({ error: 'access_denied', error_description: 'AADSTS65001: The user or administrator has not consented' });
    expect(fixFor(ctx(consent, 'authorize at the provider')).cause).toContain('administrator');
    expect(fixFor(ctx(atAuthorize({ error: 'invalid_scope' }), 'authorize at the provider')).fixes[0]).toContain('Scopes sent: openid email.');
    expect(fixFor(ctx(atAuthorize({ error: 'insufficient_scope' }), 'authorize at the provider')).cause).toContain('scope');
    const pkce = atAuthorize({ error: 'invalid_request', error_description: 'code_challenge is required' });
    expect(fixFor(ctx(pkce, 'authorize at the provider')).fixes[0]).toContain('pkce_enabled');
    expect(fixFor({ ...ctx(pkce, 'authorize at the provider'), options: { ...options, pkce_enabled: true } }).cause).toContain('rejected');
  });

  test('script errors carry their line; profile problems are profile validation', () => {
    const thrown = new ConnectionError('script_thrown', 'connection "acme": fetchUserProfile threw an error: boom (line 7)');
    expect(fixFor(ctx(thrown, 'script')).cause).toBe('fetchUserProfile failed at line 7.');
    const syntax = new ConnectionError('script_syntax', 'connection "acme": fetchUserProfile has a syntax error: Unexpected token (line 2)');
    expect(fixFor(ctx(syntax, 'script')).cause).toBe('fetchUserProfile does not compile (line 2).');
    const invalid = new ConnectionError('script_invalid_result', 'connection "acme": fetchUserProfile returned the profile is invalid: email');
    expect(fixFor(ctx(invalid, 'profile validation')).cause).toContain('cannot become a user');
  });

  test('an unknown failure falls back to the broker\'s own message', () => {
    const err = new ConnectionError('issuer_mismatch', 'connection "acme": the callback came from issuer X');
    expect(fixFor(ctx(err, 'callback')).cause).toBe(err.message);
  });
});

describe('masking', () => {
  test('masks every secret anywhere in a value, longest first, keys included; short values are left alone', () => {
    const mask = masker(['abcdefgh', 'abcdefghij', undefined, 'xy']);
    expect(mask({ a: 'x abcdefghij y abcdefgh', list: ['abcdefgh'], abcdefgh: 1, n: 3, short: 'xy' }))
      .toEqual({ a: `x ${MASK} y ${MASK}`, list: [MASK], [MASK]: 1, n: 3, short: 'xy' });
  });
});
