import type { SecretBox } from '../lib/secrets.ts';
import type { IdentityRecord } from '../store/types.ts';

/**
 * AAD of an upstream token sealed inside a user's identity: the login engine seals
 * `access_token_enc` / `refresh_token_enc` with it, the Management API and the refresher open them.
 */
export const identityTokenAad = (userId: string, connection: string, field: 'access_token' | 'refresh_token'): string =>
  `users:${userId}:identities.${connection}.${field}`;

/** Opens one sealed token of an identity. */
export function openIdentityToken(box: SecretBox, userId: string, identity: IdentityRecord, field: 'access_token' | 'refresh_token'): string | undefined {
  const sealed = field === 'access_token' ? identity.access_token_enc : identity.refresh_token_enc;
  return sealed ? box.open(sealed, identityTokenAad(userId, identity.connection, field)) : undefined;
}

/** Seals upstream tokens for storage inside the user's identity (bound to user, connection and field). */
export function sealIdentityTokens(box: SecretBox, userId: string, connection: string, tokens: {
  accessToken: string; refreshToken?: string; expiresIn?: number;
}): Pick<IdentityRecord, 'access_token_enc' | 'refresh_token_enc' | 'expires_at'> {
  return {
    access_token_enc: box.seal(tokens.accessToken, identityTokenAad(userId, connection, 'access_token')),
    ...(tokens.refreshToken ? { refresh_token_enc: box.seal(tokens.refreshToken, identityTokenAad(userId, connection, 'refresh_token')) } : {}),
    ...(tokens.expiresIn ? { expires_at: new Date(Date.now() + tokens.expiresIn * 1000).toISOString() } : {}),
  };
}
