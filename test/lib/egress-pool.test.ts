import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resolveOptions } from '../../src/connections/engine-options.ts';
import { oauth2OptionsSchema } from '../../src/connections/options.ts';
import { requestTokens } from '../../src/connections/upstream-token.ts';
import { EgressError, egressFetch, type EgressPolicy } from '../../src/lib/egress.ts';
import { startCountingServer, type CountingServer } from '../support/counting-server.ts';

/**
 * Connection reuse of the egress client, seen from a loopback upstream: how many TCP
 * connections it accepts for several requests, and that a pooled socket stays within the
 * host, port and reach (allowInsecure + EGRESS_ALLOW) it was opened for.
 */

const insecure: EgressPolicy = { allowInsecure: true, timeoutMs: 2000, maxBytes: 10_000 };

let server: CountingServer;
let port = 0;
const tokenBodies: string[] = [];
const connections = () => server.connections();

beforeAll(async () => {
  server = await startCountingServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/token') tokenBodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `at-${tokenBodies.length}`, token_type: 'Bearer', expires_in: 60 }));
    });
  });
  port = server.port;
});
afterAll(() => server.close());

const options = resolveOptions(oauth2OptionsSchema({ allowInsecure: true }).parse({
  authorizationURL: 'http://127.0.0.1/authorize', tokenURL: 'http://127.0.0.1/token', client_id: 'c', client_secret: 's',
  scripts: { fetchUserProfile: 'function (a, c, cb) { cb(null, { user_id: 1 }) }' },
}));

describe('egress connection reuse', () => {
  it('sends several token requests over one TCP connection', async () => {
    const before = connections();
    for (let i = 0; i < 4; i++) {
      const tokens = await requestTokens({
        connection: 'acme', options, url: `http://127.0.0.1:${port}/token`, redirectUri: 'http://127.0.0.1/cb', egress: insecure,
        grant: { grant_type: 'authorization_code', code: `code-${i}`, redirect_uri: 'http://127.0.0.1/cb' },
      });
      expect(tokens.accessToken).toBe(`at-${tokenBodies.length}`);
    }
    expect(tokenBodies.slice(-4).map((b) => new URLSearchParams(b).get('code'))).toEqual(['code-0', 'code-1', 'code-2', 'code-3']);
    expect(connections() - before).toBe(1);
  });

  it('keeps a pool per reach: a socket opened under one EGRESS_ALLOW is not lent to another', async () => {
    const url = `http://127.0.0.1:${port}/echo`;
    const listed: EgressPolicy = { ...insecure, allow: ['127.0.0.1/32'] };
    await egressFetch({ method: 'GET', url }, insecure);
    const before = connections();
    await egressFetch({ method: 'GET', url }, listed);
    expect(connections() - before).toBe(1); // its own socket, not the other reach's idle one
    await egressFetch({ method: 'GET', url }, { ...listed, timeoutMs: 999, maxBytes: 5_000 }); // same reach, other limits: reused
    await egressFetch({ method: 'GET', url }, insecure);
    expect(connections() - before).toBe(1);
  });

  it('never lends a socket to another host name, even one on the same address', async () => {
    await egressFetch({ method: 'GET', url: `http://127.0.0.1:${port}/echo` }, insecure);
    const before = connections();
    await egressFetch({ method: 'GET', url: `http://localhost:${port}/echo` }, insecure);
    expect(connections() - before).toBe(1);
  });
});

describe('a pooled socket the server dropped', () => {
  // A server that answers the first request of each connection and resets the connection
  // when a second one arrives on it: what a client sees when it reuses a socket the server
  // closed while it sat idle.
  let tcp: TcpServer;
  let tcpPort = 0;
  let accepted = 0;
  const open = new Set<Socket>();
  beforeAll(async () => {
    tcp = createTcpServer((socket: Socket) => {
      accepted++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      let requests = 0;
      socket.on('data', () => {
        if (++requests > 1) return void socket.resetAndDestroy();
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: keep-alive\r\n\r\n{"ok":true}');
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    tcpPort = (tcp.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of open) socket.destroy();
    await new Promise((resolve) => tcp.close(resolve));
  });

  it('is replaced by a fresh one once, within the same request', async () => {
    const url = `http://127.0.0.1:${tcpPort}/x`;
    const policy: EgressPolicy = { ...insecure, allow: ['127.0.0.9/32'] }; // a reach of its own: a fresh pool
    expect((await egressFetch({ method: 'GET', url }, policy)).status).toBe(200);
    const res = await egressFetch({ method: 'POST', url, body: 'a=1' }, policy);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ ok: true });
    expect(accepted).toBe(2);
  });

  it('still fails with a network error when the fresh socket breaks too', async () => {
    const dead = createTcpServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadPort = (dead.address() as AddressInfo).port;
    try {
      const err = await egressFetch({ method: 'GET', url: `http://127.0.0.1:${deadPort}/` }, insecure).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(EgressError);
      expect(err).toMatchObject({ code: 'network' });
    } finally {
      await new Promise((resolve) => dead.close(resolve));
    }
  });
});
