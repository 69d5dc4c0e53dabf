import { request as httpsRequest } from 'node:https';
import { ManagementClient } from 'auth0';
import { makeTestCert } from './tls.ts';
import { ADMIN_ID, ADMIN_SECRET, freePort, startTestServer, type TestServer } from './server.ts';

/**
 * The official Auth0 Node SDK (`auth0` package) against this server. The SDK only speaks
 * `https://<domain>/api/v2`, so the server runs TLS itself on loopback with a test
 * certificate; the SDK's `fetch` option carries that certificate as the trusted CA (through
 * node:https, since the built-in fetch takes no CA), for the token request and every call.
 */

export interface SdkServer {
  srv: TestServer;
  /** A ManagementClient with the admin client's credentials, no retries. */
  sdk(): ManagementClient;
}

/** Starts the server over TLS on loopback for the SDK (extra settings in `overrides`). */
export async function startSdkServer(overrides: Record<string, string> = {}): Promise<SdkServer> {
  const cert = makeTestCert();
  const port = await freePort();
  const domain = `127.0.0.1:${port}`;
  const srv = await startTestServer({ PORT: String(port), ISSUER: `https://${domain}/`, TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile, ...overrides });
  const fetch = fetchTrusting(cert.cert);
  return { srv, sdk: () => new ManagementClient({ domain, clientId: ADMIN_ID, clientSecret: ADMIN_SECRET, fetch, maxRetries: 0 }) };
}

/** A fetch that trusts `ca`: the request is normalized by `Request`, sent with node:https. */
function fetchTrusting(ca: Buffer) {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
    return new Promise((resolve, reject) => {
      const out = httpsRequest(req.url, { method: req.method, headers: Object.fromEntries(req.headers), ca, signal: req.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          const status = res.statusCode ?? 500;
          resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers }));
        });
      });
      out.on('error', reject);
      out.end(body);
    });
  };
}
