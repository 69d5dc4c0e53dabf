/** Zendesk-style provider on the customer's own subdomain: docs/providers/zendesk.md shows exactly these. */
import { APP_CLIENT_ID, type ConnectionBody } from './types.ts';

export const ZENDESK_SCRIPT = `async function (accessToken, ctx) {
  // ctx.template_vars holds the values this login's URLs were built with.
  const subdomain = ctx.template_vars.subdomain;
  const res = await fetch('https://' + subdomain + '.zendesk.com/api/v2/users/me.json', { headers: { Authorization: 'Bearer ' + accessToken } });
  if (res.status !== 200) throw new Error('Zendesk users/me answered ' + res.status);
  const user = (await res.json()).user;
  // Without a usable token Zendesk answers 200 with the anonymous user (id null): never sign that in.
  if (user.id === null) throw new Error('Zendesk answered the anonymous user: the access token was not sent or not accepted');
  return {
    // Ids are per Zendesk account: keep the subdomain in the id.
    user_id: subdomain + ':' + user.id,
    name: user.name,
    email: user.email,
    email_verified: user.verified === true,
    zendesk_subdomain: subdomain,
    zendesk_role: user.role,
  };
}`;

const ZENDESK_URLS = {
  authorizationURL: 'https://{{ subdomain }}.zendesk.com/oauth/authorizations/new',
  tokenURL: 'https://{{ subdomain }}.zendesk.com/oauth/tokens',
  client_id: 'YOUR_ZENDESK_OAUTH_CLIENT_UNIQUE_IDENTIFIER',
  client_secret: 'YOUR_ZENDESK_OAUTH_CLIENT_SECRET',
};

/** One Zendesk account, fixed by the admin. */
export const ZENDESK: ConnectionBody = {
  name: 'zendesk',
  display_name: 'Zendesk',
  strategy: 'oauth2',
  enabled_clients: [APP_CLIENT_ID],
  options: {
    ...ZENDESK_URLS,
    scope: ['users:read'],
    token_request_format: 'json',
    template_vars: { subdomain: 'acme' },
    scripts: { fetchUserProfile: ZENDESK_SCRIPT },
  },
};

/** Any customer's Zendesk account, named by the app on each login (`zendesk_subdomain=`). */
export const ZENDESK_PER_LOGIN: ConnectionBody = {
  name: 'zendesk-customer',
  display_name: 'Zendesk',
  strategy: 'oauth2',
  enabled_clients: [APP_CLIENT_ID],
  options: {
    ...ZENDESK_URLS,
    scope: ['users:read'],
    token_request_format: 'json',
    template_params: { subdomain: { from: 'zendesk_subdomain' } },
    scripts: { fetchUserProfile: ZENDESK_SCRIPT },
  },
};
