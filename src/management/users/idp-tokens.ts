import type { Logger } from '../../lib/logger.ts';
import type { SecretBox } from '../../lib/secrets.ts';
import type { IdentityRecord } from '../../store/types.ts';
import { identityTokenAad } from '../../users/identity-tokens.ts';


/** The upstream tokens of one identity in Auth0's fields; a value that does not open is left out (and logged). */
export function openIdentityTokens(userId: string, identity: IdentityRecord, box: SecretBox, log: Logger): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const open = (sealed: string | undefined, field: 'access_token' | 'refresh_token'): void => {
    if (!sealed) return;
    try {
      out[field] = box.open(sealed, identityTokenAad(identity, field));
    } catch (err) {
      // A wrong SECRETS_KEY or a moved value must not hide the rest of the user.
      log.warn({ user_id: userId, connection: identity.connection, field, err: (err as Error).message }, 'cannot open an upstream token');
    }
  };
  open(identity.access_token_enc, 'access_token');
  open(identity.refresh_token_enc, 'refresh_token');
  if (identity.expires_at && out['access_token'] !== undefined) {
    out['expires_in'] = Math.max(0, Math.floor((Date.parse(identity.expires_at) - Date.now()) / 1000));
  }
  return out;
}
