import { describe, expect, it } from '@jest/globals';
import { ScriptRequestError, toEgressRequest } from '../../src/sandbox/script-request.ts';

const build = (options: unknown) => toEgressRequest(JSON.stringify(options));

describe('script request options', () => {
  it('defaults to GET and keeps the script headers', () => {
    expect(build({ url: 'https://api.example.com/me', headers: { 'X-Id': 5 } })).toEqual({
      method: 'GET', url: 'https://api.example.com/me', headers: { 'X-Id': '5', 'User-Agent': 'brokerid (OAuth 2.0 broker)' }, body: undefined,
    });
  });

  it('encodes Basic auth, qs arrays and a json body', () => {
    const req = build({ uri: 'https://api.example.com/x?keep=1', method: 'post', auth: { user: 'id', pass: 's' }, qs: { a: [1, 2], skip: null }, json: true, body: { n: 1 } });
    expect(req).toMatchObject({
      method: 'POST',
      url: 'https://api.example.com/x?keep=1&a=1&a=2',
      body: '{"n":1}',
      headers: { Authorization: `Basic ${Buffer.from('id:s').toString('base64')}`, Accept: 'application/json', 'Content-Type': 'application/json' },
    });
  });

  it('keeps a content-type the script chose', () => {
    expect(build({ url: 'https://a.example/', form: 'x=1', headers: { 'content-type': 'text/plain' } }).headers)
      .toEqual({ 'content-type': 'text/plain', 'User-Agent': 'brokerid (OAuth 2.0 broker)' });
  });

  it('keeps a User-Agent the script chose', () => {
    expect(build({ url: 'https://a.example/', headers: { 'user-agent': 'mine/1' } }).headers).toEqual({ 'user-agent': 'mine/1' });
  });

  it.each([
    [{}, 'options.url is required'],
    [{ url: '/relative' }, 'absolute URL'],
    [{ url: 'https://a.example/', body: { a: 1 } }, 'body must be a string'],
    [{ url: 'https://a.example/', headers: { a: { nested: true } } }, 'invalid option headers.a'],
  ])('refuses %j', (options, message) => {
    expect(() => build(options)).toThrow(ScriptRequestError);
    expect(() => build(options)).toThrow(message);
  });
});
