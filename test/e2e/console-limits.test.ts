import { ADMIN_ID, ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.ts';
import { consoleAgent } from './console-support.ts';

/**
 * The console's sign-in is a place that checks a client secret, so it sits under the same
 * brute-force guard as /oauth/token, in the same budget (per client + IP, per IP).
 */
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ RATE_LIMIT_TOKEN_FAILURES: '3', RATE_LIMIT_TOKEN_FAILURES_PER_IP: '50' });
});
afterAll(async () => {
  await srv.close();
});

const tokenWith = (secret: string) => fetch(`${srv.issuer}oauth/token`, {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ grant_type: 'client_credentials', client_id: ADMIN_ID, client_secret: secret, audience: `${srv.issuer}api/v2/` }),
});

test('wrong secrets at the console sign-in run into the guard: 429 with Retry-After, even for the right secret, and /oauth/token shares the count', async () => {
  const agent = consoleAgent(srv);
  for (let i = 0; i < 3; i++) expect((await agent.post('sign-in', { client_id: ADMIN_ID, client_secret: `wrong-${i}-0123456789` })).status).toBe(401);
  const refused = await agent.post('sign-in', { client_id: ADMIN_ID, client_secret: ADMIN_SECRET });
  expect(refused.status).toBe(429);
  expect(refused.html).toContain('Too many failed sign-ins');
  expect(refused.html).not.toContain(ADMIN_SECRET);
  // One budget: the token endpoint refuses this client from this address too.
  const token = await tokenWith(ADMIN_SECRET);
  expect(token.status).toBe(429);
  expect(token.headers.get('retry-after')).toMatch(/^\d+$/);
});
