/** The shape of a `POST /api/v2/connections` body as the provider docs show it. */

/** Stands for the app's client_id in `enabled_clients`; the tests put the real one in its place. */
export const APP_CLIENT_ID = 'YOUR_APP_CLIENT_ID';

export interface ConnectionOptions {
  authorizationURL: string;
  tokenURL: string;
  client_id: string;
  client_secret: string;
  scripts: { fetchUserProfile: string };
  [option: string]: unknown;
}

export interface ConnectionBody {
  name: string;
  display_name: string;
  strategy: 'oauth2';
  enabled_clients: string[];
  options: ConnectionOptions;
}
