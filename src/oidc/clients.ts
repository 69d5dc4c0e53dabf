import type { ClientMetadata } from 'oidc-provider';
import { isSupportedGrantType } from '../lib/grant-types.ts';
import type { SecretBox } from '../lib/secrets.ts';
import type { ClientRecord } from '../store/types.ts';

/** The AAD binding a client's sealed secret to its record and field. */
export const clientSecretAad = (clientId: string): string => `clients:${clientId}:client_secret`;

/** Translates a stored (Auth0-shaped) client into oidc-provider client metadata. */
export function toOidcMetadata(client: ClientRecord, box: SecretBox): ClientMetadata {
  const interactive = client.app_type !== 'non_interactive';
  const grantTypes = client.grant_types.filter((g) => isSupportedGrantType(g) && (interactive || g === 'client_credentials'));
  const usesCode = grantTypes.includes('authorization_code');
  return {
    client_id: client.client_id,
    client_name: client.name,
    ...(client.client_secret_enc ? { client_secret: box.open(client.client_secret_enc, clientSecretAad(client.client_id)) } : {}),
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    grant_types: grantTypes,
    response_types: usesCode ? ['code'] : [],
    redirect_uris: usesCode ? client.callbacks : [],
    post_logout_redirect_uris: client.allowed_logout_urls,
    application_type: client.app_type === 'native' ? 'native' : 'web',
    require_pkce: client.require_pkce,
    is_first_party: client.is_first_party,
  };
}
