import type { TestServer } from './server.ts';

/** A fetchUserProfile script that reads the upstream's OIDC-style userinfo (Auth0's callback form). */
export const userinfoScript = (userinfo: string): string => `function(accessToken, ctx, cb) {
  request.get({ url: '${userinfo}', headers: { Authorization: 'Bearer ' + accessToken }, json: true }, function(err, resp, body) {
    if (err) return cb(err);
    if (resp.statusCode !== 200) return cb(new Error('userinfo answered ' + resp.statusCode));
    cb(null, { user_id: body.sub, email: body.email, email_verified: body.email_verified, name: body.name, given_name: body.given_name, family_name: body.family_name });
  });
}`;

/** Creates an oauth2 connection through the Management API; throws with the API's message on failure. */
export async function createConnection(srv: TestServer, name: string, options: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<{ id: string }> {
  const res = await srv.api('/connections', { method: 'POST', body: { name, strategy: 'oauth2', options, ...extra } });
  if (res.status !== 201) throw new Error(`cannot create connection ${name}: ${JSON.stringify(res.body)}`);
  return res.body as { id: string };
}

/** Replaces a connection's options (Auth0 PATCH semantics). */
export async function patchConnection(srv: TestServer, id: string, body: Record<string, unknown>): Promise<void> {
  const res = await srv.api(`/connections/${id}`, { method: 'PATCH', body });
  if (res.status !== 200) throw new Error(`cannot patch connection ${id}: ${JSON.stringify(res.body)}`);
}
