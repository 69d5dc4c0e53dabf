import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Encryption of secrets at rest: AES-256-GCM with a key derived from SECRETS_KEY, bound to
 * the record and field it belongs to (`aad`), so a sealed value copied into another record
 * or field does not open. Each sealed value names the key that sealed it (a key id), so
 * SECRETS_KEY can be rotated: old keys stay readable through SECRETS_KEY_PREVIOUS until
 * `npm run reseal` has re-sealed everything under the new one.
 */
export interface SecretBox {
  /** Seals under the current key. */
  seal(plaintext: string, aad: string): string;
  /** Throws SecretOpenError when the value was tampered with, moved, or sealed with a key this box does not hold. */
  open(sealed: string, aad: string): string;
  /** True when `sealed` is not sealed under the current key (re-sealing would change it). */
  isStale(sealed: string): boolean;
}

/** Why a sealed value did not open: `unknown_key` when its key is not configured, `tampered` otherwise. */
export class SecretOpenError extends Error {
  readonly code: 'secret_unknown_key' | 'secret_tampered';
  constructor(aad: string, unknownKeyId?: string) {
    super(unknownKeyId === undefined
      ? `cannot decrypt the secret for ${aad}: wrong SECRETS_KEY or tampered data`
      : `cannot decrypt the secret for ${aad}: it was sealed under key id ${unknownKeyId}, which is neither SECRETS_KEY nor in SECRETS_KEY_PREVIOUS; add the key it was sealed with to SECRETS_KEY_PREVIOUS`);
    this.name = 'SecretOpenError';
    this.code = unknownKeyId === undefined ? 'secret_tampered' : 'secret_unknown_key';
  }
}

/** `enc2.<key id>.<iv>.<body>.<tag>`; `enc1.<iv>.<body>.<tag>` (before key ids) is still read. */
const PREFIX = 'enc2';
const LEGACY_PREFIX = 'enc1';

/** Derives a purpose-specific 32-byte key from the master key (HKDF-SHA256). */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), purpose, 32));
}

/** The public name of a master key: 8 characters derived from it (reveals nothing usable). */
export function keyId(master: Buffer): string {
  return deriveKey(master, 'secrets-key-id').subarray(0, 6).toString('base64url');
}

interface Key { id: string; object: KeyObject }

/** Creates the secret box: seals under `master`, opens under it or any of `previous`. */
export function createSecretBox(master: Buffer, previous: readonly Buffer[] = []): SecretBox {
  // KeyObjects made once: given a Buffer, every cipher would import the key again, which
  // costs several times the AES work itself (client secrets are opened on every token request).
  const keys: Key[] = [master, ...previous].map((k) => ({ id: keyId(k), object: createSecretKey(deriveKey(k, 'secrets-at-rest')) }));
  const current = keys[0]!;
  const byId = new Map(keys.map((k) => [k.id, k]));
  return {
    seal(plaintext, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.object, iv);
      cipher.setAAD(Buffer.from(aad));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [PREFIX, current.id, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed, aad) {
      const parts = sealed.split('.');
      if (parts[0] === PREFIX && parts.length === 5) {
        const key = byId.get(parts[1]!);
        if (!key) throw new SecretOpenError(aad, parts[1]);
        return decrypt(key.object, parts.slice(2), aad);
      }
      // Sealed before key ids: try every configured key, the current one first (GCM tells a wrong key apart).
      if (parts[0] === LEGACY_PREFIX && parts.length === 4) {
        for (const key of keys) {
          try {
            return decrypt(key.object, parts.slice(1), aad);
          } catch {
            // the next key
          }
        }
      }
      throw new SecretOpenError(aad);
    },
    isStale(sealed) {
      const parts = sealed.split('.');
      return !(parts[0] === PREFIX && parts[1] === current.id);
    },
  };
}

function decrypt(key: KeyObject, [iv, body, tag]: string[], aad: string): string {
  try {
    const authTag = Buffer.from(tag ?? '', 'base64url');
    // Only full 16-byte tags: a shortened tag would make forgeries cheap.
    if (authTag.length !== 16) throw new SecretOpenError(aad);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64url'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(authTag);
    return Buffer.concat([decipher.update(Buffer.from(body ?? '', 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretOpenError(aad);
  }
}

/** True when a value looks like the output of `seal` (never a plaintext secret). */
export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && (value.startsWith(`${PREFIX}.`) || value.startsWith(`${LEGACY_PREFIX}.`));
}
