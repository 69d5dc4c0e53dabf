/**
 * Connects the demo's pieces through brokerid's public Management API, as an administrator
 * would: a token for the admin client, the example app's client, and one oauth2 connection to
 * the example provider with a real fetchUserProfile script.
 */

export const CONNECTION = 'example-provider';

/** The profile script: reads the example provider's userinfo with the upstream access token. */
export const profileScript = (userinfoUrl: string): string => `async function (accessToken, ctx) {
  const res = await fetch('${userinfoUrl}', { headers: { Authorization: 'Bearer ' + accessToken } });
  if (res.status !== 200) throw new Error('userinfo answered ' + res.status);
  const me = await res.json();
  return { user_id: me.sub, name: me.name, email: me.email, email_verified: me.email_verified === true };
}`;

export interface SetupInput {
  issuer: string;
  adminId: string;
  adminSecret: string;
  /** The example app's base URL: its /callback and home page are registered with brokerid. */
  appBase: string;
  provider: { base: string; clientId: string; clientSecret: string };
}

async function call(url: string, init: { method?: string; token?: string; body: unknown }): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: JSON.stringify(init.body),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${init.method ?? 'POST'} ${url} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Creates the app's client and the connection; resolves the app's credentials. */
export async function connectDemo(input: SetupInput): Promise<{ clientId: string; clientSecret: string }> {
  const api = `${input.issuer}api/v2/`;
  const { access_token: token } = await call(`${input.issuer}oauth/token`, {
    body: { grant_type: 'client_credentials', client_id: input.adminId, client_secret: input.adminSecret, audience: api },
  }) as { access_token: string };
  const app = await call(`${api}clients`, {
    token, body: { name: 'Example App (demo)', app_type: 'regular_web', callbacks: [`${input.appBase}/callback`], allowed_logout_urls: [`${input.appBase}/`] },
  }) as { client_id: string; client_secret: string };
  await call(`${api}connections`, {
    token,
    body: {
      name: CONNECTION, display_name: 'Example Provider (demo)', strategy: 'oauth2', enabled_clients: [app.client_id],
      options: {
        authorizationURL: `${input.provider.base}/authorize`, tokenURL: `${input.provider.base}/token`,
        client_id: input.provider.clientId, client_secret: input.provider.clientSecret, scope: ['profile', 'email'],
        token_endpoint_auth_method: 'client_secret_basic', pkce_enabled: true,
        scripts: { fetchUserProfile: profileScript(`${input.provider.base}/userinfo`) },
      },
    },
  });
  return { clientId: app.client_id, clientSecret: app.client_secret };
}
