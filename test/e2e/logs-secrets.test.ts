import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { authorizationRequest, registerApp } from '../support/app.ts';
import { createConnection } from '../support/connections.ts';
import { findEvent, storedEvents } from '../support/log-events.ts';
import { ADMIN_SECRET, clientCredentialsToken, startTestServer } from '../support/server.ts';
import { startGeneric } from '../support/upstreams/index.ts';
import { UserAgent } from '../support/user-agent.ts';

/**
 * One full run (brokered login with custom headers and a script, code exchange, refresh,
 * client credentials, a bad secret, a failed login, both logouts), collecting every secret
 * and token value that passed through the server; then every stored event is searched for
 * each of them. Tenant logs are read by anyone holding read:logs: none may appear.
 */

const unique = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

test('no secret, token, code or script source of a full run appears in any stored log event', async () => {
  const srv = await startTestServer();
  const upstreamSecret = unique('upstream-secret');
  const headerValue = unique('header-value');
  const up = await startGeneric({
    clientId: 'up', clientSecret: upstreamSecret, redirectUris: [`${srv.issuer}login/callback`], scopes: 'any', requireTokenHeaders: { 'x-api-key': headerValue },
  });
  try {
    const secrets: string[] = [ADMIN_SECRET, srv.config.secretsKey.toString('base64'), srv.config.secretsKey.toString('base64url'), await srv.adminToken(), upstreamSecret, headerValue];
    const app = await registerApp(srv, { name: 'Secret App' });
    secrets.push(app.clientSecret);
    const marker = unique('script-marker');
    const script = `function(accessToken, ctx, cb) {
      var seen = "${marker}";
      request.get({ url: '${up.url}/userinfo', headers: { Authorization: 'Bearer ' + accessToken }, json: true }, function(err, resp, body) {
        if (err) return cb(err);
        cb(null, { user_id: body.sub, email: body.email, name: body.name });
      });
    }`;
    secrets.push(script, marker);
    const options = {
      authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up', client_secret: upstreamSecret,
      token_endpoint_auth_method: 'client_secret_basic', customHeaders: { 'X-Api-Key': headerValue }, scripts: { fetchUserProfile: script },
    };
    await createConnection(srv, 'secretive', options, { enabled_clients: [app.clientId] });
    const failing = unique('failing-script');
    secrets.push(failing);
    await createConnection(srv, 'failing', { ...options, scripts: { fetchUserProfile: `function(a, ctx, cb) { var s = "${failing}"; cb(new Error("no profile")); }` } },
      { enabled_clients: [app.clientId] });

    // Login, code exchange, refresh.
    const ua = new UserAgent();
    const { url, verifier, state } = await authorizationRequest(app, { connection: 'secretive', scope: 'openid profile email offline_access', prompt: 'consent' });
    const callback = new URL((await ua.follow(url, app.redirectUri)).stoppedAt!);
    const tokens = await client.authorizationCodeGrant(app.config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    const refreshed = await client.refreshTokenGrant(app.config, tokens.refresh_token!);
    secrets.push(callback.searchParams.get('code')!, verifier, tokens.access_token, tokens.refresh_token!, tokens.id_token!,
      refreshed.access_token, refreshed.refresh_token!, refreshed.id_token!);
    for (const grant of up.codesIssued) secrets.push(grant.code);
    for (const grant of up.tokensIssued) secrets.push(grant.accessToken, ...(grant.refreshToken ? [grant.refreshToken] : []));
    for (const r of up.requests) if (typeof r.query['state'] === 'string') secrets.push(r.query['state']);

    // Client credentials, a bad secret, a failed login, both logouts.
    const m2m = await srv.clientWith(['read:users']);
    secrets.push(m2m.client_secret, await clientCredentialsToken(srv.issuer, m2m.client_id, m2m.client_secret, `${srv.issuer}api/v2/`));
    const wrongSecret = unique('wrong-secret');
    secrets.push(wrongSecret);
    await expect(clientCredentialsToken(srv.issuer, m2m.client_id, wrongSecret, `${srv.issuer}api/v2/`)).rejects.toThrow(/invalid_client/);
    const failed = await authorizationRequest(app, { connection: 'failing' });
    await new UserAgent().follow(failed.url, app.redirectUri);
    const logout = await ua.request(client.buildEndSessionUrl(app.config, { id_token_hint: tokens.id_token! }).toString());
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(logout.text)?.[1] ?? '';
    secrets.push(xsrf);
    await ua.request(`${srv.issuer}oidc/logout/confirm`, { form: { xsrf, logout: 'yes' } });
    for (const c of ua.cookies) secrets.push(c.value);

    // Every kind of event this run causes is stored before the search (the writer flushes within ~100 ms).
    for (const type of ['s', 'f', 'seacft', 'sertft', 'seccft', 'feccft', 'slo', 'sapi']) await findEvent(srv, `type:${type}`);
    const events = await storedEvents(srv);
    const json = JSON.stringify(events);
    const leaked = secrets.filter((s) => s.length >= 8 && json.includes(s));
    expect(leaked).toEqual([]);
    expect(secrets.length).toBeGreaterThan(25);
  } finally {
    await up.close();
    await srv.close();
  }
});
