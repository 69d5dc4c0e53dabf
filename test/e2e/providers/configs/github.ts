/** GitHub OAuth app: docs/providers/github.md shows exactly this. */
import { APP_CLIENT_ID, type ConnectionBody } from './types.ts';

export const GITHUB_SCRIPT = `async function (accessToken, ctx) {
  // GitHub's REST API refuses requests without a User-Agent header (403).
  const headers = { Authorization: 'Bearer ' + accessToken, Accept: 'application/vnd.github+json', 'User-Agent': 'brokerid' };
  const res = await fetch('https://api.github.com/user', { headers });
  if (res.status !== 200) throw new Error('GitHub /user answered ' + res.status + ': ' + (await res.text()).slice(0, 200));
  const user = await res.json();
  // /user shows only a public email; the verified primary address needs the user:email scope.
  const emails = await fetch('https://api.github.com/user/emails', { headers });
  const primary = emails.status === 200 ? (await emails.json()).find((e) => e.primary && e.verified) : undefined;
  return {
    user_id: user.id,
    nickname: user.login,
    name: user.name || user.login,
    picture: user.avatar_url,
    email: primary ? primary.email : user.email || undefined,
    email_verified: Boolean(primary),
  };
}`;

export const GITHUB: ConnectionBody = {
  name: 'github',
  display_name: 'GitHub',
  strategy: 'oauth2',
  enabled_clients: [APP_CLIENT_ID],
  options: {
    authorizationURL: 'https://github.com/login/oauth/authorize',
    tokenURL: 'https://github.com/login/oauth/access_token',
    client_id: 'YOUR_GITHUB_CLIENT_ID',
    client_secret: 'YOUR_GITHUB_CLIENT_SECRET',
    scope: ['read:user', 'user:email'],
    useOauthSpecScope: true,
    pkce_enabled: true,
    scripts: { fetchUserProfile: GITHUB_SCRIPT },
  },
};
