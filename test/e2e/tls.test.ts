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
