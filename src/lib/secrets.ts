import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encryption of secrets at rest: AES-256-GCM with a key derived from SECRETS_KEY, bound to
 * the record and field it belongs to (`aad`), so a sealed value copied into another record
 * or field does not open.
 */
export interface SecretBox {
  seal(plaintext: string, aad: string): string;
  /** Throws SecretOpenError when the value was tampered with, moved, or sealed with another key. */
  open(sealed: string, aad: string): string;
}

export class SecretOpenError extends Error {
  constructor(aad: string) {
    super(`cannot decrypt the secret for ${aad}: wrong SECRETS_KEY or tampered data`);
    this.name = 'SecretOpenError';
  }
}

const PREFIX = 'enc1';

/** Derives a purpose-specific 32-byte key from the master key (HKDF-SHA256). */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), purpose, 32));
}

/** Creates the secret box for a master key. */
export function createSecretBox(master: Buffer): SecretBox {
  // A KeyObject made once: given a Buffer, every cipher would import the key again, which
  // costs several times the AES work itself (client secrets are opened on every token request).
  const key = createSecretKey(deriveKey(master, 'secrets-at-rest'));
  return {
    seal(plaintext, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(aad));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [PREFIX, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed, aad) {
      const [prefix, iv, body, tag] = sealed.split('.');
      if (prefix !== PREFIX || iv === undefined || body === undefined || tag === undefined) throw new SecretOpenError(aad);
      try {
        const authTag = Buffer.from(tag, 'base64url');
        // Only full 16-byte tags: a shortened tag would make forgeries cheap.
        if (authTag.length !== 16) throw new SecretOpenError(aad);
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
        decipher.setAAD(Buffer.from(aad));
        decipher.setAuthTag(authTag);
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretOpenError(aad);
      }
    },
  };
}

/** True when a value looks like the output of `seal` (never a plaintext secret). */
export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(`${PREFIX}.`);
}
