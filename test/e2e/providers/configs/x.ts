/** X (Twitter) OAuth 2.0 with PKCE: docs/providers/x.md shows exactly this. */
import { APP_CLIENT_ID, type ConnectionBody } from './types.ts';

export const X_SCRIPT = `async function (accessToken, ctx) {
  const url = 'https://api.x.com/2/users/me?user.fields=profile_image_url,confirmed_email';
  const res = await fetch(url, { headers: { Authorization: 'Bearer ' + accessToken } });
  const body = await res.json();
  if (res.status !== 200 || !body.data) throw new Error('X /2/users/me answered ' + res.status + ': ' + (body.detail || body.title || ''));
  const user = body.data;
  return {
    user_id: user.id,
    nickname: user.username,
    name: user.name,
    picture: user.profile_image_url,
    // Only with the users.email scope, and only an address X has confirmed.
    email: user.confirmed_email,
    email_verified: Boolean(user.confirmed_email),
  };
}`;

export const X: ConnectionBody = {
  name: 'x',
  display_name: 'X',
  strategy: 'oauth2',
  enabled_clients: [APP_CLIENT_ID],
  options: {
    authorizationURL: 'https://x.com/i/oauth2/authorize',
    tokenURL: 'https://api.x.com/2/oauth2/token',
    client_id: 'YOUR_X_CLIENT_ID',
    client_secret: 'YOUR_X_CLIENT_SECRET',
    scope: ['tweet.read', 'users.read', 'users.email', 'offline.access'],
    useOauthSpecScope: true,
    pkce_enabled: true,
    token_endpoint_auth_method: 'client_secret_basic',
    scripts: { fetchUserProfile: X_SCRIPT },
  },
};
