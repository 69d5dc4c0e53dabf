import { login, registerApp } from '../support/app.ts';
import { createConnection } from '../support/connections.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ALLOW_INSECURE_UPSTREAMS: 'false' });
});
afterAll(async () => {
  await srv.close();
});

test('an app-supplied template value that renders an internal host is refused before any request (invalid_request)', async () => {
  const app = await registerApp(srv);
  // A careless pattern that lets dots through: the rendered URL is still checked against the policy.
  await createConnection(srv, 'per-host', {
    authorizationURL: 'https://{{ host }}/oauth/authorize', tokenURL: 'https://{{ host }}/oauth/token', client_id: 'c', client_secret: 's',
    template_params: { host: { from: 'host', pattern: '[a-z0-9.]+' } }, scripts: { fetchUserProfile: 'function(a, c, cb) { cb(null, { user_id: 1 }); }' },
  }, { enabled_clients: [app.clientId] });
  const ua = new UserAgent();
  const { callback } = await login(app, ua, { connection: 'per-host', host: '127.0.0.1' });
  expect(callback.searchParams.get('error')).toBe('invalid_request');
  expect(callback.searchParams.get('error_description')).toMatch(/(tokenURL|authorizationURL) as rendered must not point at a loopback or private address/);
  expect(ua.visited.every((p) => new URL(p.url).port === String(srv.server.port))).toBe(true);
});
