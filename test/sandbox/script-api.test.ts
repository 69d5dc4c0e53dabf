import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createScriptRunner, type ScriptRunner } from '../../src/sandbox/index.ts';
import { startUpstream, testLimits, type Upstream } from './helpers.ts';

let upstream: Upstream;
let runner: ScriptRunner;
let n = 0;

beforeAll(async () => {
  upstream = await startUpstream();
  runner = createScriptRunner(testLimits());
});
afterAll(async () => {
  await runner.close();
  await upstream.close();
});

const run = (script: string, accessToken = 'tok', context: Record<string, unknown> = {}) =>
  runner.run({ cacheKey: `api-${++n}`, script, accessToken, context });

// Auth0's documented sample, verbatim but for the URL.
const auth0Sample = (url: string) => `function(accessToken, ctx, cb) {
  request.get({ url: '${url}', headers: { 'Authorization': 'Bearer ' + accessToken } }, function(err, resp, body) {
    if (err) return cb(err);
    if (resp.statusCode !== 200) return cb(new Error(body));
    let bodyParsed;
    try { bodyParsed = JSON.parse(body); } catch (jsonError) { return cb(new Error(body)); }
    const profile = { user_id: bodyParsed.account.uuid, given_name: bodyParsed.account.name.first_name, family_name: bodyParsed.account.name.last_name, email: bodyParsed.account.email };
    cb(null, profile);
  });
}`;

describe('profile scripts', () => {
  it("runs Auth0's documented sample unchanged", async () => {
    const result = await run(auth0Sample(`${upstream.base}/userinfo`), 'abc');
    expect(result).toMatchObject({
      ok: true,
      profile: { user_id: 'uuid-abc', given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.com' },
    });
    expect(upstream.seen.at(-1)?.headers.authorization).toBe('Bearer abc');
  });

  it("passes the upstream error body to cb(err) in Auth0's sample", async () => {
    const result = await run(auth0Sample(`${upstream.base}/userinfo`), '');
    expect(result).toMatchObject({ ok: false, kind: 'callback_error', message: '{"error":"missing token"}', line: 4 });
  });

  it('runs the async/fetch form', async () => {
    const script = `async function (accessToken, ctx) {
      const res = await fetch('${upstream.base}/userinfo', { headers: { authorization: 'Bearer ' + accessToken } });
      if (!res.ok) throw new Error('status ' + res.status);
      const data = await res.json();
      return { user_id: data.account.uuid, kind: res.headers.get('X-Upstream'), plain: res.headers['x-upstream'], scope: ctx.scope };
    }`;
    const result = await run(script, 'xyz', { scope: 'openid' });
    expect(result).toMatchObject({ ok: true, profile: { user_id: 'uuid-xyz', kind: 'yes', plain: 'yes', scope: 'openid' } });
  });

  it('reaches a per-tenant *.localhost upstream when insecure upstreams are allowed', async () => {
    const url = `${upstream.base.replace('127.0.0.1', 'acme.localhost')}/userinfo`;
    const script = `async function (accessToken) {
      const res = await fetch('${url}', { headers: { authorization: 'Bearer ' + accessToken } });
      return { user_id: (await res.json()).account.uuid };
    }`;
    expect(await run(script, 'tenant')).toMatchObject({ ok: true, profile: { user_id: 'uuid-tenant' } });
    expect(upstream.seen.at(-1)?.headers.host).toMatch(/^acme\.localhost:/);
  });

  it('supports the request options scripts use: qs, json, form, body, auth, request(url, cb)', async () => {
    const script = `function (accessToken, ctx, cb) {
      request.post({ url: '${upstream.base}/echo', qs: { a: 1, b: ['x', 'y'] }, json: { hello: 'world' } }, function (err, resp, body) {
        if (err) return cb(err);
        request({ url: '${upstream.base}/echo', method: 'PUT', form: { k: 'v w' }, auth: { bearer: accessToken } }, function (err2, resp2, body2) {
          request('${upstream.base}/echo', function (err3, resp3, body3) {
            cb(null, { user_id: 1, first: body, second: JSON.parse(body2), third: typeof body3, status: resp3.statusCode });
          });
        });
      });
    }`;
    const result = await run(script, 'tkn');
    if (!result.ok) throw new Error(result.message);
    const { first, second, third, status } = result.profile as Record<string, Record<string, Record<string, string>>>;
    expect(first).toMatchObject({ method: 'POST', url: '/echo?a=1&b=x&b=y', body: '{"hello":"world"}', headers: { 'content-type': 'application/json' } });
    expect(second).toMatchObject({ method: 'PUT', body: 'k=v+w', headers: { authorization: 'Bearer tkn', 'content-type': 'application/x-www-form-urlencoded' } });
    expect([third, status]).toEqual(['string', 200]);
  });

  it('waits for cb from an async function that calls back later', async () => {
    const script = `async function (accessToken, ctx, cb) {
      request.get({ url: '${upstream.base}/userinfo', headers: { Authorization: 'Bearer ' + accessToken }, json: true }, function (err, resp, body) {
        cb(null, { user_id: body.account.uuid });
      });
    }`;
    expect(await run(script, 'later')).toMatchObject({ ok: true, profile: { user_id: 'uuid-later' } });
  });

  it('offers base64/hex helpers and nothing of the host', async () => {
    const script = `function (accessToken, ctx, cb) {
      cb(null, {
        user_id: Buffer.from('client:secret').toString('base64'),
        back: Buffer.from('Y2xpZW50OnNlY3JldA==', 'base64').toString(),
        hex: Buffer.from('hé').toString('hex'),
        b64: btoa('abc') + '/' + atob('YWJj'),
        reach: [typeof require, typeof process, typeof setTimeout, typeof module, typeof globalThis.ivm, typeof WebAssembly].join(),
      });
    }`;
    expect(await run(script)).toMatchObject({
      ok: true,
      profile: { user_id: 'Y2xpZW50OnNlY3JldA==', back: 'client:secret', hex: '68c3a9', b64: 'YWJj/abc', reach: 'undefined,undefined,undefined,undefined,undefined,undefined' },
    });
  });

  it('copies the profile out as plain JSON data', async () => {
    const script = `function (accessToken, ctx, cb) {
      cb(null, { user_id: 7, when: new Date(0), fn: function () {}, nested: { list: [1, 'two'] } });
    }`;
    const result = await run(script);
    expect(result).toMatchObject({ ok: true, profile: { user_id: 7, when: '1970-01-01T00:00:00.000Z', nested: { list: [1, 'two'] } } });
    expect(result.ok && 'fn' in result.profile).toBe(false);
  });

  it('lets the first callback win', async () => {
    const script = 'function (t, ctx, cb) { cb(null, { user_id: "first" }); cb(new Error("second")); }';
    expect(await run(script)).toMatchObject({ ok: true, profile: { user_id: 'first' } });
  });

  it('recompiles when a cache key is reused with another script', async () => {
    const key = 'same-key';
    const first = await runner.run({ cacheKey: key, script: 'function (t, c, cb) { cb(null, { user_id: 1 }) }', accessToken: '', context: {} });
    const second = await runner.run({ cacheKey: key, script: 'function (t, c, cb) { cb(null, { user_id: 2 }) }', accessToken: '', context: {} });
    expect([first.ok && first.profile.user_id, second.ok && second.profile.user_id]).toEqual([1, 2]);
  });
});
