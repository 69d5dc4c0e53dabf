import { get } from 'node:https';
import { makeTestCert } from '../support/tls.ts';
import { freePort, startTestServer, type TestServer } from '../support/server.ts';

let srv: TestServer;
let ca: Buffer;
beforeAll(async () => {
  const cert = makeTestCert();
  ca = cert.cert;
  const port = String(await freePort());
  srv = await startTestServer({ PORT: port, ISSUER: `https://127.0.0.1:${port}/`, TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile });
});
afterAll(async () => {
  await srv.close();
});

function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    }).on('error', reject);
  });
}

test('serves TLS itself with the given certificate; the issuer is https', async () => {
  expect(srv.url.startsWith('https://')).toBe(true);
  const { status, body } = await getJson(`${srv.issuer}.well-known/openid-configuration`);
  expect(status).toBe(200);
  expect(body['issuer']).toBe(srv.issuer);
  expect(body['token_endpoint']).toBe(`${srv.issuer}oauth/token`);
});

describe('behind a TLS-terminating proxy', () => {
  async function authorize(proxy: TestServer, forwarded: boolean): Promise<Response> {
    const app = (await proxy.api('/clients', { method: 'POST', body: { name: 'p', callbacks: ['https://app.example/cb'] } })).body as { client_id: string };
    const url = new URL(`http://127.0.0.1:${proxy.server.port}/authorize`);
    for (const [k, v] of Object.entries({ client_id: app.client_id, response_type: 'code', scope: 'openid', redirect_uri: 'https://app.example/cb',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })) url.searchParams.set(k, v);
    return fetch(url, { redirect: 'manual', headers: forwarded ? { 'x-forwarded-proto': 'https', 'x-forwarded-host': `127.0.0.1:${proxy.server.port}` } : {} });
  }

  test('TRUST_PROXY=true: an https issuer works over a plain-http hop, with secure cookies', async () => {
    const port = String(await freePort());
    const proxied = await startTestServer({ PORT: port, ISSUER: `https://127.0.0.1:${port}/`, TRUST_PROXY: 'true' });
    try {
      const res = await authorize(proxied, true);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/login\//);
      expect(res.headers.getSetCookie().join('\n')).toMatch(/; secure/i);
    } finally {
      await proxied.close();
    }
  });

  test('without TRUST_PROXY the forwarded scheme is ignored: cookies are not marked secure (and the start warns)', async () => {
    const port = String(await freePort());
    const direct = await startTestServer({ PORT: port, ISSUER: `https://127.0.0.1:${port}/` });
    try {
      const res = await authorize(direct, true);
      expect(res.headers.getSetCookie().join('\n')).not.toMatch(/; secure/i);
      expect(direct.config.devWarnings.join('\n')).toMatch(/ISSUER is https but .*TRUST_PROXY=true/);
    } finally {
      await direct.close();
    }
  });
});
