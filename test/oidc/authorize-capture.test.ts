import type { NextFunction, Request, Response } from 'express';
import { authorizeParams, captureAuthorizeParams, RAW_PARAMS } from '../../src/oidc/authorize-capture.ts';

/** Runs the middleware on a GET and returns the URL oidc-provider then reads. */
function captured(url: string): URL {
  const req = { method: 'GET', url } as Request;
  let called = 0;
  captureAuthorizeParams(req, {} as Response, (() => void called++) as NextFunction);
  expect(called).toBe(1);
  return new URL(req.url, 'http://x');
}

const rawOf = (url: URL): Record<string, string> => authorizeParams({ [RAW_PARAMS]: url.searchParams.get(RAW_PARAMS) ?? undefined });

test('carries every parameter as sent into RAW_PARAMS and keeps the query as sent', () => {
  const url = captured('/authorize?client_id=app&scope=openid%20profile&login_hint=a%2Bb%40x.example&custom=1');
  expect(url.pathname).toBe('/authorize');
  expect(rawOf(url)).toEqual({ client_id: 'app', scope: 'openid profile', login_hint: 'a+b@x.example', custom: '1' });
  expect(url.searchParams.get('scope')).toBe('openid profile');
  expect(url.searchParams.get('login_hint')).toBe('a+b@x.example');
  expect(url.searchParams.getAll(RAW_PARAMS)).toHaveLength(1);
});

test("replaces a RAW_PARAMS the caller sent (it must not reach the interaction)", () => {
  const forged = encodeURIComponent(JSON.stringify({ connection_scope: 'admin' }));
  const url = captured(`/authorize?client_id=app&${RAW_PARAMS}=${forged}&${RAW_PARAMS}=${forged}&state=s`);
  expect(url.searchParams.getAll(RAW_PARAMS)).toHaveLength(1);
  expect(rawOf(url)).toEqual({ client_id: 'app', state: 's' });
});

test("Auth0's audience becomes the resource indicator unless one is sent", () => {
  expect(captured('/authorize?audience=https%3A%2F%2Fapi.example%2F').searchParams.get('resource')).toBe('https://api.example/');
  const both = captured('/authorize?audience=https%3A%2F%2Fa%2F&resource=https%3A%2F%2Fb%2F');
  expect(both.searchParams.getAll('resource')).toEqual(['https://b/']);
});

test('a repeated parameter stays repeated, so oidc-provider still refuses it', () => {
  expect(captured('/authorize?client_id=a&client_id=b').searchParams.getAll('client_id')).toEqual(['a', 'b']);
});

test('without a query, or with one too long to carry, the request still reaches oidc-provider', () => {
  expect(rawOf(captured('/authorize'))).toEqual({});
  const long = captured(`/authorize?client_id=app&login_hint=${'x'.repeat(9000)}`);
  expect(long.searchParams.has(RAW_PARAMS)).toBe(false);
  expect(long.searchParams.get('client_id')).toBe('app');
});
