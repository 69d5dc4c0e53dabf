/**
 * Auth0's Management API vocabulary, shared by the API that checks it (management/) and the
 * provider that issues tokens for it (oidc/); it lives below both so neither imports the other.
 */

/** Every Management API scope this server knows (Auth0's names). The admin client holds all of them. */
export const MANAGEMENT_SCOPES = [
  'read:clients', 'create:clients', 'update:clients', 'delete:clients', 'read:client_keys', 'update:client_keys',
  'read:client_grants', 'create:client_grants', 'update:client_grants', 'delete:client_grants',
  'read:connections', 'create:connections', 'update:connections', 'delete:connections',
  'read:users', 'update:users', 'delete:users', 'read:user_idp_tokens', 'blacklist:tokens',
  'read:logs',
] as const;

export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

/** The Management API audience for an issuer (Auth0: `https://TENANT/api/v2/`). */
export const managementAudience = (issuer: string): string => `${issuer}api/v2/`;
