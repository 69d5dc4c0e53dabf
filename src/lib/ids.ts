import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string of `length` characters from [A-Za-z0-9] (unbiased). */
export function randomId(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 62 * 4 = 248: bytes at or above it would bias the choice, so they are skipped.
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/** Auth0-style ids: `con_` + 16 chars for connections, `cgr_` + 16 for client grants. */
export const newConnectionId = (): string => `con_${randomId(16)}`;
export const newClientGrantId = (): string => `cgr_${randomId(16)}`;
/** Client ids are 32 characters like Auth0's. */
export const newClientId = (): string => randomId(32);
/** Client secrets: 64 characters (~380 bits). */
export const newClientSecret = (): string => randomId(64);
