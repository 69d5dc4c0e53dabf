import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { login, registerApp, type TestApp } from '../support/app.ts';
import { createConnection, userinfoScript } from '../support/connections.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { makeTestCert } from '../support/tls.ts';
import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { UserAgent } from '../support/user-agent.ts';

// An internal IdP at 127.0.0.5 (standing in for 10.x): a TLS front on 127.0.0.5 for the loopback emulator.
// A decoy on 127.0.0.1 at the same port counts connections that the policy must never make.
const cert = makeTestCert('IP:127.0.0.5,IP:127.0.0.1,DNS:localhost');
const defaultCAs = getCACertificates('default');
const savedExtraCAs = process.env['NODE_EXTRA_CA_CERTS'];
let up: Upstream;
let front: Server;
let decoy: Server;
let port = 0;
let decoyConnections = 0;
const fronted: string[] = [];
let srv: TestServer;
let app: TestApp;

function listen(server: Server, host: string, at: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at, host, () => resolve((server.address() as AddressInfo).port));
  });
}

beforeAll(async () => {
  // How a deployment trusts its internal CA: NODE_EXTRA_CA_CERTS (read by the sandbox process at
  // start); this process is already running, so its default CAs are extended the same way.
  setDefaultCACertificates([...defaultCAs, cert.cert.toString()]);
  process.env['NODE_EXTRA_CA_CERTS'] = cert.certFile;
  const tls = { cert: cert.cert, key: readFileSync(cert.keyFile) };
  srv = await startTestServer({ ALLOW_INSECURE_UPSTREAMS: 'false', EGRESS_ALLOW: '127.0.0.5, 10.20.0.0/16' });
  up = await startGeneric({ clientId: 'up-client', clientSecret: 'up-secret', redirectUris: [`${srv.issuer}login/callback`], clientAuth: 'client_secret_post' });
  front = createServer(tls, (req, res) => {
    fronted.push(`${req.method} ${req.url}`);
    const upstream = httpRequest({ host: '127.0.0.1', port: up.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  port = await listen(front, '127.0.0.5', 0);
  decoy = createServer(tls, (_req, res) => res.end('{}'));
  decoy.on('connection', () => decoyConnections++);
  await listen(decoy, '127.0.0.1', port);
  app = await registerApp(srv);
});
afterAll(async () => {
  setDefaultCACertificates(defaultCAs);
  if (savedExtraCAs === undefined) delete process.env['NODE_EXTRA_CA_CERTS'];
  else process.env['NODE_EXTRA_CA_CERTS'] = savedExtraCAs;
  for (const server of [front, decoy]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await up.close();
  await srv.close();
});

const options = (base: string, userinfo = `${base}/userinfo`) => ({
  authorizationURL: `${base}/authorize`, tokenURL: `${base}/token`, scope: ['openid', 'profile', 'email'],
  client_id: 'up-client', client_secret: 'up-secret', scripts: { fetchUserProfile: userinfoScript(userinfo) },
});

test('a login through an upstream at the listed 127.0.0.5 works: token request and profile script both reach it', async () => {
  await createConnection(srv, 'internal', options(`https://127.0.0.5:${port}`), { enabled_clients: [app.clientId] });
  const { tokens, callback } = await login(app, new UserAgent(), { connection: 'internal' });
  expect(callback.searchParams.get('error_description')).toBeNull();
  expect(tokens?.claims()?.sub).toMatch(/^oauth2\|internal\|/);
  expect(fronted).toEqual(expect.arrayContaining(['POST /token', 'GET /userinfo']));
  expect(decoyConnections).toBe(0);
});

test.each([
  ['loopback', () => `https://127.0.0.1:${port}`],
  ['IPv6 loopback', () => `https://[::1]:${port}`],
  ['localhost', () => `https://localhost:${port}`],
  ['a mapped loopback', () => `https://[::ffff:127.0.0.1]:${port}`],
  ['an unlisted private range', () => 'https://10.21.0.1'],
  ['an unlisted private address', () => 'https://192.168.0.10'],
])('connection URLs at %s are still refused, naming EGRESS_ALLOW', async (_label, base) => {
  const res = await srv.api('/connections', { method: 'POST', body: { name: `x-${Math.random().toString(36).slice(2, 8)}`, strategy: 'oauth2', options: options(base()) } });
  expect(res.status).toBe(400);
  expect(JSON.stringify(res.body)).toMatch(/must not point at a loopback or private address \(list the host or its range in EGRESS_ALLOW/);
});

test('http:// stays refused for a listed address', async () => {
  const res = await srv.api('/connections', { method: 'POST', body: { name: 'plain-http', strategy: 'oauth2', options: options(`http://127.0.0.5:${port}`) } });
  expect(res.status).toBe(400);
  expect(JSON.stringify(res.body)).toMatch(/must use https/);
});

test('a profile script asking for an unlisted loopback address is refused before connecting', async () => {
  await createConnection(srv, 'sneaky', options(`https://127.0.0.5:${port}`, `https://127.0.0.1:${port}/userinfo`), { enabled_clients: [app.clientId] });
  const before = decoyConnections;
  const { callback } = await login(app, new UserAgent(), { connection: 'sneaky' });
  expect(callback.searchParams.get('error')).toBe('access_denied');
  expect(callback.searchParams.get('error_description')).toMatch(/fetchUserProfile tried a request the egress policy forbids: refused to connect to 127\.0\.0\.1/);
  expect(decoyConnections).toBe(before);
});
