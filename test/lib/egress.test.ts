import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EgressError, egressFetch, type EgressPolicy } from '../../src/lib/egress.ts';
import { startCountingServer, type CountingServer } from '../support/counting-server.ts';
import { SSRF_SPELLINGS } from './ssrf-spellings.ts';

const insecure: EgressPolicy = { allowInsecure: true, timeoutMs: 2000, maxBytes: 10_000 };
const strict: EgressPolicy = { allowInsecure: false, timeoutMs: 2000, maxBytes: 10_000 };

let server: CountingServer;
let port = 0;
const hits: string[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  hits.push(req.url ?? '');
  const path = (req.url ?? '').split('?')[0];
  if (path === '/never') return; // accepts, never answers
  if (path === '/stall-body') {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial');
    return;
  }
  if (path === '/big-declared') {
    res.writeHead(200, { 'content-length': '20000' });
    res.end('x'.repeat(20000));
    return;
  }
  if (path === '/big-stream') {
    res.writeHead(200); // chunked, no length: the limit must be enforced while reading
    const timer = setInterval(() => res.write('y'.repeat(4096)), 1);
    res.on('close', () => clearInterval(timer));
    return;
  }
  if (path === '/redirect') {
    res.writeHead(302, { location: `http://127.0.0.1:${port}/target` });
    res.end();
    return;
  }
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
    res.end(JSON.stringify({ method: req.method, host: req.headers.host, auth: req.headers.authorization, body }));
  });
}

beforeAll(async () => {
  server = await startCountingServer(handle);
  port = server.port;
});
afterAll(() => server.close());

async function failure(promise: Promise<unknown>): Promise<EgressError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof EgressError) return err;
    throw err;
  }
  throw new Error('expected an EgressError');
}

describe('egressFetch', () => {
  it('returns status, lower-case headers and body', async () => {
    const res = await egressFetch({ method: 'POST', url: `http://127.0.0.1:${port}/echo`, headers: { Authorization: 'Bearer t' }, body: 'hello' }, insecure);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-multi']).toBe('a, b');
    expect(JSON.parse(res.body.toString())).toEqual({ method: 'POST', host: `127.0.0.1:${port}`, auth: 'Bearer t', body: 'hello' });
  });

  it('resolves *.localhost to loopback itself and keeps the name in the Host header', async () => {
    const res = await egressFetch({ method: 'GET', url: `http://tenant.localhost:${port}/echo` }, insecure);
    expect(JSON.parse(res.body.toString()).host).toBe(`tenant.localhost:${port}`);
  });

  it('reuses keep-alive connections', async () => {
    await egressFetch({ method: 'GET', url: `http://127.0.0.1:${port}/echo` }, insecure);
    const before = server.connections();
    await egressFetch({ method: 'GET', url: `http://127.0.0.1:${port}/echo` }, insecure);
    await egressFetch({ method: 'GET', url: `http://127.0.0.1:${port}/echo` }, insecure);
    expect(server.connections()).toBe(before);
  });

  it('times out a server that never answers, without leaking the query string', async () => {
    const started = Date.now();
    const err = await failure(egressFetch({ method: 'GET', url: `http://127.0.0.1:${port}/never?access_token=SECRET` }, { ...insecure, timeoutMs: 150 }));
    expect(err.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err.message).toContain('127.0.0.1');
    expect(err.message).not.toContain('SECRET');
  });

  it('times out the whole exchange, body included', async () => {
    const err = await failure(egressFetch({ method: 'GET', url: `http://127.0.0.1:${port}/stall-body` }, { ...insecure, timeoutMs: 150 }));
    expect(err.code).toBe('timeout');
  });

  it('refuses bodies over maxBytes, declared or streamed', async () => {
    expect((await failure(egressFetch({ method: 'GET', url: `http://127.0.0.1:${port}/big-declared` }, insecure))).code).toBe('too_large');
    const err = await failure(egressFetch({ method: 'GET', url: `http://127.0.0.1:${port}/big-stream` }, insecure));
    expect(err.code).toBe('too_large');
    expect(err.message).toContain('10000 bytes');
  });

  it('returns a redirect as is and does not follow it', async () => {
    hits.length = 0;
    const res = await egressFetch({ method: 'GET', url: `http://127.0.0.1:${port}/redirect` }, insecure);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`http://127.0.0.1:${port}/target`);
    expect(hits).toEqual(['/redirect']);
  });

  it.each(SSRF_SPELLINGS)('refuses %s unless insecure upstreams are allowed', async (_label, url) => {
    hits.length = 0;
    const err = await failure(egressFetch({ method: 'GET', url: url(port) }, strict));
    expect(err.code).toBe('denied_address');
    expect(hits).toEqual([]);
  });

  it('refuses http unless insecure upstreams are allowed', async () => {
    const err = await failure(egressFetch({ method: 'GET', url: 'http://example.com/' }, strict));
    expect(err.code).toBe('denied_scheme');
    expect((await failure(egressFetch({ method: 'GET', url: 'file:///etc/passwd' }, insecure))).code).toBe('denied_scheme');
  });

  it('refuses CR/LF in header names and values before sending', async () => {
    hits.length = 0;
    const url = `http://127.0.0.1:${port}/echo`;
    const value = await failure(egressFetch({ method: 'GET', url, headers: { 'x-a': 'ok\r\nInjected: 1' } }, insecure));
    const name = await failure(egressFetch({ method: 'GET', url, headers: { 'x-a\nb': 'ok' } }, insecure));
    expect([value.code, name.code]).toEqual(['invalid_request', 'invalid_request']);
    expect(value.message).not.toContain('Injected');
    expect(hits).toEqual([]);
  });

  it('refuses framing and connection headers (no smuggling on pooled sockets) and credentials in the URL', async () => {
    hits.length = 0;
    const url = `http://127.0.0.1:${port}/echo`;
    for (const name of ['Content-Length', 'transfer-encoding', 'Host', 'connection', 'TE', 'Expect']) {
      const err = await failure(egressFetch({ method: 'POST', url, headers: { [name]: '2' }, body: 'abcdef' }, insecure));
      expect(err.code).toBe('invalid_request');
      expect(err.message).toMatch(/header is set by the HTTP client/);
    }
    const creds = await failure(egressFetch({ method: 'GET', url: `http://u:%E0@127.0.0.1:${port}/echo` }, insecure));
    expect(creds).toMatchObject({ code: 'invalid_url', message: expect.stringMatching(/credentials in the URL/) });
    expect(hits).toEqual([]);
  });

  it('rejects malformed URLs and refused connections with stable codes', async () => {
    expect((await failure(egressFetch({ method: 'GET', url: 'not a url' }, insecure))).code).toBe('invalid_url');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await failure(egressFetch({ method: 'GET', url: `http://127.0.0.1:${closedPort}/` }, insecure));
    expect(err).toMatchObject({ code: 'network', message: `request to 127.0.0.1 failed: ECONNREFUSED` });
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = failure(egressFetch({ method: 'GET', url: `http://127.0.0.1:${port}/never`, signal: controller.signal }, insecure));
    setTimeout(() => controller.abort(), 20);
    expect((await pending).code).toBe('network');
  });
});
