import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * What the `cookies` package (behind koa's `ctx.cookies`, behind oidc-provider) calls on
 * `cookies.keys`: the same contract and the same signatures as keygrip 1.x (HMAC-SHA1,
 * base64url without padding, first key signs, any key verifies), so cookies signed before
 * this existed stay valid.
 *
 * Why not keygrip itself: every signed cookie read costs keygrip one HMAC that re-imports the
 * key, a regex replace with a callback per character class, and tsscmp's comparison (random
 * bytes and two more HMACs). Here the keys are imported once as KeyObjects, the digest is
 * base64url directly, and the comparison is `crypto.timingSafeEqual` on equal-length buffers
 * (the length of a signature is public: 27 characters), which is the same constant-time
 * guarantee tsscmp gives.
 */
export interface CookieKeys {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  /** Index of the key that signed `data` as `digest`, -1 when none did. */
  index(data: string, digest: string): number;
}

/** Keys in keygrip's form (strings, the first one signs), imported once. */
export function cookieKeys(keys: readonly string[]): CookieKeys {
  if (keys.length === 0) throw new Error('cookie keys: at least one key is needed');
  // keygrip hands the string to createHmac, which reads it as UTF-8: so do we.
  const imported: KeyObject[] = keys.map((key) => createSecretKey(Buffer.from(key, 'utf8')));
  const sign = (data: string, key: KeyObject): string => createHmac('sha1', key).update(data).digest('base64url');
  const index = (data: string, digest: string): number => {
    if (typeof digest !== 'string') return -1;
    const given = Buffer.from(digest, 'utf8');
    for (let i = 0; i < imported.length; i++) {
      const expected = Buffer.from(sign(data, imported[i]!), 'utf8');
      if (given.length === expected.length && timingSafeEqual(given, expected)) return i;
    }
    return -1;
  };
  return {
    sign: (data) => sign(data, imported[0]!),
    verify: (data, digest) => index(data, digest) > -1,
    index,
  };
}
