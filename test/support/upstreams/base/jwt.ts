/** RS256 id_token signing with a per-emulator key published as a JWKS. */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface Signer {
  sign(claims: Record<string, unknown>): string;
  jwks(): { keys: Array<Record<string, unknown>> };
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Creates the key lazily: generating RSA keys costs tens of milliseconds. */
export function createSigner(): Signer {
  let key: { kid: string; privateKey: KeyObject; publicKey: KeyObject } | undefined;
  const ensure = () => (key ??= { kid: randomUUID(), ...generateKeyPairSync('rsa', { modulusLength: 2048 }) });
  return {
    sign(claims) {
      const k = ensure();
      const input = `${b64({ typ: 'JWT', alg: 'RS256', kid: k.kid })}.${b64(claims)}`;
      return `${input}.${sign('sha256', Buffer.from(input), k.privateKey).toString('base64url')}`;
    },
    jwks() {
      const k = ensure();
      return { keys: [{ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, use: 'sig', alg: 'RS256', kty: 'RSA' }] };
    },
  };
}
