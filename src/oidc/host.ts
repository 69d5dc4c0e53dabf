import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Logger } from '../lib/logger.ts';
import { ensureKeySet, stableKey, privateJwks, type SigningJwk } from './keys.ts';
import { createProvider, type ProviderDeps } from './provider.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Holds the live oidc-provider and replaces it when the stored signing keys change. */
export interface OidcHost {
  /** Request handler that always reaches the current provider. */
  handle: Handler;
  provider(): Provider;
  /** Public JWKs of the current key set (for verifying our own tokens); the same array until keys change. */
  publicKeys(): JsonWebKeyPublic[];
  /** Re-reads the key set; rebuilds the provider when it changed. Resolves true if it did. */
  refreshKeys(): Promise<boolean>;
  /** Starts re-reading keys every `seconds`; returns a stop function. */
  watchKeys(seconds: number, log: Logger): () => void;
}

export interface JsonWebKeyPublic { kty: string; kid: string; alg: string; use: string; n?: string; e?: string }

const PRIVATE_PARTS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

function toPublic(jwk: SigningJwk): JsonWebKeyPublic {
  const out: Record<string, unknown> = { ...jwk };
  for (const part of PRIVATE_PARTS) delete out[part];
  return out as unknown as JsonWebKeyPublic;
}

/** Creates the provider from the stored keys (creating them on first start). */
export async function createOidcHost(base: Omit<ProviderDeps, 'jwks' | 'stableKey'>): Promise<OidcHost> {
  let keySet = await ensureKeySet(base.store, base.box);
  // Never changes after the key set is made (rotations carry it), so it is read once.
  const deps = { ...base, stableKey: stableKey(keySet, base.box) };
  let jwks = privateJwks(keySet, deps.box);
  let publicJwks = jwks.map(toPublic);
  let provider = createProvider({ ...deps, jwks });
  let callback = provider.callback() as Handler;

  const host: OidcHost = {
    handle: (req, res) => callback(req, res),
    provider: () => provider,
    publicKeys: () => publicJwks,
    async refreshKeys() {
      const latest = await deps.store.keys.get();
      if (!latest || latest.version === keySet.version) return false;
      keySet = latest;
      jwks = privateJwks(latest, deps.box);
      publicJwks = jwks.map(toPublic);
      provider = createProvider({ ...deps, jwks });
      callback = provider.callback() as Handler;
      return true;
    },
    watchKeys(seconds, log) {
      const timer = setInterval(() => {
        host.refreshKeys().then(
          (changed) => changed && log.info({ version: keySet.version }, 'signing keys changed; provider rebuilt'),
          (err: unknown) => log.error({ err }, 'cannot re-read signing keys'),
        );
      }, seconds * 1000);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
  return host;
}
