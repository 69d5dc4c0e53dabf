import type { SecretBox } from '../lib/secrets.ts';
import { identityTokenAad } from '../management/users/idp-tokens.ts';
import type { IdentityRecord } from '../store/types.ts';

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
