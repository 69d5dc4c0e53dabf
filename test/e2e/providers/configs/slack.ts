/** Slack OAuth v2 ("Sign in with Slack", identity scopes): docs/providers/slack.md shows exactly this. */
import { APP_CLIENT_ID, type ConnectionBody } from './types.ts';

export const SLACK_SCRIPT = `async function (accessToken, ctx) {
  const res = await fetch('https://slack.com/api/users.identity', { headers: { Authorization: 'Bearer ' + accessToken } });
  const body = await res.json();
  // Slack answers HTTP 200 for failures too: only "ok" tells.
  if (!body.ok) throw new Error('Slack users.identity failed: ' + body.error + (body.needed ? ' (needs ' + body.needed + ')' : ''));
  return {
    // Slack user ids are unique within a workspace: keep the workspace (team) in the id.
    user_id: body.team.id + ':' + body.user.id,
    name: body.user.name,
    email: body.user.email,
    email_verified: Boolean(body.user.email),
    picture: body.user.image_192,
    slack_team_id: body.team.id,
  };
}`;

export const SLACK: ConnectionBody = {
  name: 'slack',
  display_name: 'Slack',
  strategy: 'oauth2',
  enabled_clients: [APP_CLIENT_ID],
  options: {
    authorizationURL: 'https://slack.com/oauth/v2/authorize',
    tokenURL: 'https://slack.com/api/oauth.v2.access',
    client_id: 'YOUR_SLACK_CLIENT_ID',
    client_secret: 'YOUR_SLACK_CLIENT_SECRET',
    authParams: { user_scope: 'identity.basic,identity.email,identity.avatar' },
    token_response_paths: {
      access_token: 'authed_user.access_token',
      refresh_token: 'authed_user.refresh_token',
      expires_in: 'authed_user.expires_in',
      token_type: 'authed_user.token_type',
      scope: 'authed_user.scope',
    },
    scripts: { fetchUserProfile: SLACK_SCRIPT },
  },
};
