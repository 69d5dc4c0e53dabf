import { authorizationRequest, registerApp, type TestApp } from '../support/app.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// Error pages a person lands on: they say what was sent, what to check, and lead back to the app.
let srv: TestServer;
let app: TestApp;
beforeAll(async () => {
  srv = await startTestServer();
  app = await registerApp(srv, { name: 'Shop "R" &amp; Co' }, 'http://127.0.0.1:65530/app/callback');
});
afterAll(async () => {
  await srv.close();
});

async function page(params: Record<string, string>): Promise<{ status: number; html: string }> {
  const { url } = await authorizationRequest(app, params);
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, html: await res.text() };
}

const unregistered = 'http://127.0.0.1:65531/cb?x=<script>alert(1)</script>"';

test('an unregistered redirect_uri is shown, escaped, with the fix and a link back to the app\'s own origin', async () => {
  const { status, html } = await page({ redirect_uri: unregistered });
  expect(status).toBe(400);
  expect(html).not.toContain('<script>alert(1)</script>');
  const escaped = 'http://127.0.0.1:65531/cb?x=&lt;script&gt;alert(1)&lt;/script&gt;&#34;';
  expect(html).toContain(`redirect_uri &#34;${escaped}&#34; is not registered for application &#34;Shop &#34;R&#34; &amp;amp; Co&#34;.`);
  expect(html).toContain(`callbacks (PATCH /api/v2/clients/${app.clientId})`);
  expect(html).toContain(`<dt>redirect_uri</dt><dd><code>${escaped}</code></dd>`);
  expect(html).toContain(`<dt>client_id</dt><dd><code>${app.clientId}</code></dd>`);
  // Back to the registered callback's origin, never to the URI the request brought.
  expect(html).toContain('<a class="btn primary" href="http://127.0.0.1:65530">Back to Shop &#34;R&#34; &amp;amp; Co</a>');
  expect(html).not.toMatch(/href="http:\/\/127\.0\.0\.1:65531/);
  expect(html).toContain('<code>invalid_redirect_uri</code>');
});

test('an unknown client_id says which one was sent and offers no app link', async () => {
  const { status, html } = await page({ client_id: 'no-such-<app>' });
  expect(status).toBe(400);
  expect(html).toContain('client_id &#34;no-such-&lt;app&gt;&#34; is not a registered application.');
  expect(html).toContain('Check the client_id your application sends');
  expect(html).not.toContain('Back to');
  expect(html).toContain('<code>invalid_client</code>');
});

test('a missing client_id says so', async () => {
  const res = await fetch(`${srv.issuer}authorize?response_type=code&scope=openid`);
  const html = await res.text();
  expect(res.status).toBe(400);
  expect(html).toMatch(/missing required parameter &#39;client_id&#39;/);
  expect(html).toContain('Check the parameters your application sends to /authorize.');
  expect(html).toContain('<dt>response_type</dt><dd><code>code</code></dd>');
  expect(html).not.toContain('Back to');
});

test('secrets, verifiers and hints a request carries are never echoed', async () => {
  const { html } = await page({ redirect_uri: unregistered, client_secret: 'sekret-value-123', code_verifier: 'verifier-value-456', login_hint: 'person@example.com' });
  expect(html).not.toContain('sekret-value-123');
  expect(html).not.toContain('verifier-value-456');
  expect(html).not.toContain('person@example.com');
  expect(html).toContain('<dt>redirect_uri</dt>');
});
