import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { randomId } from '../lib/ids.ts';
import type { SecretBox } from '../lib/secrets.ts';
import type { KeySet, SigningKeyRecord, Store } from '../store/types.ts';

/** A private signing JWK as oidc-provider's `jwks` option takes it. */
export type SigningJwk = JsonWebKey & { kid: string; alg: string; use: 'sig' };

/** How many retired keys stay published for verifying tokens they signed. */
const KEEP_PREVIOUS = 2;

/** The AAD binding a sealed private JWK to its key id. */
export const jwkAad = (kid: string): string => `keys:${kid}:jwk`;

function newKey(box: SecretBox, status: SigningKeyRecord['status'], now: Date): SigningKeyRecord {
  const kid = randomId(24);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { kid, alg: 'RS256', status, jwk_enc: box.seal(JSON.stringify(jwk), jwkAad(kid)), created_at: now.toISOString() };
}

export const STABLE_KEY_AAD = 'keys:stable-key';

/** A fresh stable key, sealed: random, because it is made once and then only ever re-sealed. */
const newStableKey = (box: SecretBox): string => box.seal(randomBytes(32).toString('base64url'), STABLE_KEY_AAD);

/**
 * Returns the stored key set, creating it on first start: a `current` key that signs, a
 * `next` key that is published ahead of its turn, and the stable key (added to a set made
 * before there was one). Safe when several processes start at once.
 */
export async function ensureKeySet(store: Store, box: SecretBox): Promise<KeySet> {
  for (;;) {
    const existing = await store.keys.get();
    if (existing?.stable_key_enc) return existing;
    if (existing) {
      const upgraded: KeySet = { ...existing, version: existing.version + 1, stable_key_enc: newStableKey(box) };
      if (await store.keys.compareAndSet(existing.version, upgraded)) return upgraded;
      continue;
    }
    const now = new Date();
    const created: KeySet = { version: 1, keys: [newKey(box, 'current', now), newKey(box, 'next', now)], stable_key_enc: newStableKey(box) };
    if (await store.keys.compareAndSet(null, created)) return created;
  }
}

/** The root of the keys that outlive SECRETS_KEY rotations (see KeySet.stable_key_enc). */
export function stableKey(set: KeySet, box: SecretBox): Buffer {
  if (!set.stable_key_enc) throw new Error('the key set has no stable key: open it through ensureKeySet');
  return Buffer.from(box.open(set.stable_key_enc, STABLE_KEY_AAD), 'base64url');
}

/**
 * Rotation: `next` (published since the last rotation) starts signing, `current` retires
 * to `previous` (still published for verification), and a fresh `next` is published.
 */
export async function rotateKeys(store: Store, box: SecretBox): Promise<KeySet> {
  for (;;) {
    const set = await ensureKeySet(store, box);
    const now = new Date();
    const next = set.keys.find((k) => k.status === 'next') ?? newKey(box, 'next', now);
    const current = set.keys.filter((k) => k.status === 'current').map((k) => ({ ...k, status: 'previous' as const }));
    const previous = [...current, ...set.keys.filter((k) => k.status === 'previous')].slice(0, KEEP_PREVIOUS);
    const rotated: KeySet = {
      ...set,
      version: set.version + 1,
      keys: [{ ...next, status: 'current' }, newKey(box, 'next', now), ...previous],
    };
    if (await store.keys.compareAndSet(set.version, rotated)) return rotated;
  }
}

const ORDER = { current: 0, next: 1, previous: 2 } as const;

/** Private JWKs in signing order: oidc-provider signs with the first key of an algorithm. */
export function privateJwks(set: KeySet, box: SecretBox): SigningJwk[] {
  return [...set.keys]
    .sort((a, b) => ORDER[a.status] - ORDER[b.status])
    .map((k) => JSON.parse(box.open(k.jwk_enc, jwkAad(k.kid))) as SigningJwk);
}

/** The kid that signs now. */
export function currentKid(set: KeySet): string | undefined {
  return set.keys.find((k) => k.status === 'current')?.kid;
}
