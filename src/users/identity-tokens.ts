import type { SecretBox } from '../lib/secrets.ts';
import { identityKey, type IdentityRecord } from '../store/types.ts';

/** What names an identity for its sealed tokens. */
export type IdentityRef = Pick<IdentityRecord, 'provider' | 'user_id' | 'connection'>;

/**
 * AAD of an upstream token sealed inside an identity: the login engine seals
 * `access_token_enc` / `refresh_token_enc` with it, the Management API and the refresher open
 * them. Bound to the identity (its key, which is the user_id of the user it stands for when not
 * linked, so tokens sealed before linking existed still open), so a sealed token pasted into
 * another identity does not open, and linking or unlinking moves an identity without re-sealing.
 */
export const identityTokenAad = (identity: IdentityRef, field: 'access_token' | 'refresh_token'): string =>
  `users:${identityKey(identity)}:identities.${identity.connection}.${field}`;

/** Opens one sealed token of an identity. */
export function openIdentityToken(box: SecretBox, identity: IdentityRecord, field: 'access_token' | 'refresh_token'): string | undefined {
  const sealed = field === 'access_token' ? identity.access_token_enc : identity.refresh_token_enc;
  return sealed ? box.open(sealed, identityTokenAad(identity, field)) : undefined;
}

/** Seals upstream tokens for storage inside the identity (bound to identity and field). */
export function sealIdentityTokens(box: SecretBox, identity: IdentityRef, tokens: {
  accessToken: string; refreshToken?: string; expiresIn?: number;
}): Pick<IdentityRecord, 'access_token_enc' | 'refresh_token_enc' | 'expires_at'> {
  return {
    access_token_enc: box.seal(tokens.accessToken, identityTokenAad(identity, 'access_token')),
    ...(tokens.refreshToken ? { refresh_token_enc: box.seal(tokens.refreshToken, identityTokenAad(identity, 'refresh_token')) } : {}),
    ...(tokens.expiresIn ? { expires_at: new Date(Date.now() + tokens.expiresIn * 1000).toISOString() } : {}),
  };
}
