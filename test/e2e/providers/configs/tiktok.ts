/** TikTok Login Kit: docs/providers/tiktok.md shows exactly this. */
import { APP_CLIENT_ID, type ConnectionBody } from './types.ts';

export const TIKTOK_SCRIPT = `async function (accessToken, ctx) {
  // The fields to return must be listed; each needs its scope (username: user.info.profile).
  const url = 'https://open.tiktokapis.com/v2/user/info/?fields=open_id,union_id,display_name,avatar_url,username';
  const res = await fetch(url, { headers: { Authorization: 'Bearer ' + accessToken } });
  const body = await res.json();
  if (!body.error || body.error.code !== 'ok') {
    throw new Error('TikTok user info failed: ' + (body.error ? body.error.code + ' ' + body.error.message : 'HTTP ' + res.status));
  }
  const user = body.data.user;
  // TikTok shares no email address.
  return { user_id: user.open_id, nickname: user.username, name: user.display_name, picture: user.avatar_url, tiktok_union_id: user.union_id };
}`;

export const TIKTOK: ConnectionBody = {
  name: 'tiktok',
  display_name: 'TikTok',
  strategy: 'oauth2',
  enabled_clients: [APP_CLIENT_ID],
  options: {
    authorizationURL: 'https://www.tiktok.com/v2/auth/authorize/',
    tokenURL: 'https://open.tiktokapis.com/v2/oauth/token/',
    client_id: 'YOUR_TIKTOK_CLIENT_KEY',
    client_secret: 'YOUR_TIKTOK_CLIENT_SECRET',
    scope: 'user.info.basic,user.info.profile',
    authorize_param_names: { client_id: 'client_key' },
    token_request_param_names: { client_id: 'client_key' },
    token_response_paths: {
      access_token: 'data.access_token',
      refresh_token: 'data.refresh_token',
      expires_in: 'data.expires_in',
      scope: 'data.scope',
    },
    scripts: { fetchUserProfile: TIKTOK_SCRIPT },
  },
};
