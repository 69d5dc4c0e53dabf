/**
 * The OAuth 2.0 grants this server issues tokens for. The Management API refuses any other
 * on a client, and the provider configuration keeps only these, so the two cannot drift.
 */
export const SUPPORTED_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

export type SupportedGrantType = (typeof SUPPORTED_GRANT_TYPES)[number];

/** Whether `grant` is one this server supports. */
export const isSupportedGrantType = (grant: string): grant is SupportedGrantType =>
  (SUPPORTED_GRANT_TYPES as readonly string[]).includes(grant);
