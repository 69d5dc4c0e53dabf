/** Microsoft identity platform v2.0 (Entra ID) with the tenant in the path: docs/providers/microsoft.md shows exactly this. */
import { APP_CLIENT_ID, type ConnectionBody } from './types.ts';

export const MICROSOFT_SCRIPT = `async function (accessToken, ctx) {
  const graph = ctx.template_vars.cloud === 'usgov' ? 'https://graph.microsoft.us' : 'https://graph.microsoft.com';
  const res = await fetch(graph + '/v1.0/me?$select=id,displayName,givenName,surname,mail,userPrincipalName', {
    headers: { Authorization: 'Bearer ' + accessToken },
  });
  const me = await res.json();
  if (res.status !== 200) throw new Error('Microsoft Graph /me answered ' + res.status + (me.error ? ': ' + me.error.code + ' ' + me.error.message : ''));
  return {
    user_id: me.id,
    name: me.displayName,
    given_name: me.givenName || undefined,
    family_name: me.surname || undefined,
    email: me.mail || me.userPrincipalName,
    // Entra ID does not prove that a user owns "mail": never mark it verified.
    email_verified: false,
  };
}`;

const host = "{% if cloud == 'usgov' %}login.microsoftonline.us{% else %}login.microsoftonline.com{% endif %}";

export const MICROSOFT: ConnectionBody = {
  name: 'microsoft',
  display_name: 'Microsoft',
  strategy: 'oauth2',
  enabled_clients: [APP_CLIENT_ID],
  options: {
    authorizationURL: `https://${host}/{{ tenant }}/oauth2/v2.0/authorize`,
    tokenURL: `https://${host}/{{ tenant }}/oauth2/v2.0/token`,
    client_id: 'YOUR_APPLICATION_CLIENT_ID',
    client_secret: 'YOUR_CLIENT_SECRET_VALUE',
    scope: ['openid', 'profile', 'email', 'offline_access', 'User.Read'],
    useOauthSpecScope: true,
    pkce_enabled: true,
    template_vars: { cloud: 'global', tenant: 'organizations' },
    template_params: {
      tenant: {
        from: 'ms_tenant',
        pattern: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+',
      },
    },
    scripts: { fetchUserProfile: MICROSOFT_SCRIPT },
  },
};
