import { resealOptions } from '../connections/stored.ts';
import type { SecretBox } from '../lib/secrets.ts';
import { clientSecretAad } from '../oidc/clients.ts';
import { jwkAad, STABLE_KEY_AAD } from '../oidc/keys.ts';
import { StoreConflictError, type IdentityRecord, type KeySet, type Store } from '../store/types.ts';
import { identityTokenAad } from '../users/identity-tokens.ts';

/** How many records of each kind were sealed again. */
export interface ResealReport {
  keySet: number;
  clients: number;
  connections: number;
  identities: number;
}

const PAGE = 100;
/** A record changed by someone else between our read and write is read again; this many times at most. */
const MAX_TRIES = 20;

/** Seals again under the current key when the value is under an older one. */
const again = (box: SecretBox, sealed: string, aad: string): string => (box.isStale(sealed) ? box.seal(box.open(sealed, aad), aad) : sealed);

/**
 * Re-seals every sealed value (signing keys and the stable key, client secrets, connection
 * secrets and custom headers, upstream identity tokens) under the current SECRETS_KEY, while
 * servers keep running: each record is rewritten by one conditional write against what was
 * read (versions, or the sealed values themselves), and read again when it lost a race, so a
 * concurrent change is never overwritten. Safe to run again; a second run changes nothing.
 */
export async function resealAll(store: Store, box: SecretBox): Promise<ResealReport> {
  return {
    keySet: await resealKeySet(store, box),
    clients: await resealClients(store, box),
    connections: await resealConnections(store, box),
    identities: await resealIdentities(store, box),
  };
}

/** Runs `attempt` until it reports done (true: written or nothing to do). */
async function retrying(what: string, attempt: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < MAX_TRIES; i++) if (await attempt()) return;
  throw new Error(`reseal: ${what} kept changing while it was re-sealed; run npm run reseal again`);
}

/** Visits every record of a list, page by page (checkpoint paging by id). */
async function eachPage<T>(list: (afterId: string | undefined) => Promise<T[]>, idOf: (item: T) => string, visit: (item: T) => Promise<void>): Promise<void> {
  let afterId: string | undefined;
  for (;;) {
    const items = await list(afterId);
    for (const item of items) await visit(item);
    const last = items.at(-1);
    if (!last || items.length < PAGE) return;
    afterId = idOf(last);
  }
}

async function resealKeySet(store: Store, box: SecretBox): Promise<number> {
  let count = 0;
  await retrying('the key set', async () => {
    const set = await store.keys.get();
    if (!set) return true;
    const keys = set.keys.map((k) => ({ ...k, jwk_enc: again(box, k.jwk_enc, jwkAad(k.kid)) }));
    const next: KeySet = { ...set, version: set.version + 1, keys, ...(set.stable_key_enc ? { stable_key_enc: again(box, set.stable_key_enc, STABLE_KEY_AAD) } : {}) };
    if (JSON.stringify(next.keys) === JSON.stringify(set.keys) && next.stable_key_enc === set.stable_key_enc) return true;
    if (!(await store.keys.compareAndSet(set.version, next))) return false;
    count = 1;
    return true;
  });
  return count;
}

async function resealClients(store: Store, box: SecretBox): Promise<number> {
  let count = 0;
  await eachPage((afterId) => store.clients.list({ limit: PAGE, ...(afterId ? { afterId } : {}) }).then((r) => r.items), (c) => c.client_id, async (first) => {
    let current: typeof first | null = first;
    await retrying(`client ${first.client_id}`, async () => {
      if (!current?.client_secret_enc || !box.isStale(current.client_secret_enc)) return true;
      const next = { ...current, client_secret_enc: again(box, current.client_secret_enc, clientSecretAad(current.client_id)), version: current.version + 1 };
      if (await store.clients.replaceIfVersion(next, current.version)) {
        count++;
        return true;
      }
      current = await store.clients.get(first.client_id);
      return false;
    });
  });
  return count;
}

async function resealConnections(store: Store, box: SecretBox): Promise<number> {
  let count = 0;
  await eachPage((afterId) => store.connections.list({}, { limit: PAGE, ...(afterId ? { afterId } : {}) }).then((r) => r.items), (c) => c.id, async (first) => {
    let current: typeof first | null = first;
    await retrying(`connection ${first.id}`, async () => {
      const options = current ? resealOptions(current, box) : null;
      if (!current || !options) return true;
      try {
        // replace is optimistic: it only writes over version - 1.
        if (await store.connections.replace({ ...current, options, version: current.version + 1 })) count++;
        return true;
      } catch (err) {
        if (!(err instanceof StoreConflictError)) throw err;
        current = await store.connections.get(first.id);
        return false;
      }
    });
  });
  return count;
}

type Tokens = Pick<IdentityRecord, 'access_token_enc' | 'refresh_token_enc'>;

/** The identity's sealed tokens under the current key, or null when they already are. */
function resealTokens(box: SecretBox, userId: string, identity: IdentityRecord): Tokens | null {
  const out: Tokens = {};
  let stale = false;
  for (const [field, name] of [['access_token_enc', 'access_token'], ['refresh_token_enc', 'refresh_token']] as const) {
    const sealed = identity[field];
    if (sealed === undefined) continue;
    out[field] = again(box, sealed, identityTokenAad(identity, name));
    stale ||= out[field] !== sealed;
  }
  return stale ? out : null;
}

async function resealIdentities(store: Store, box: SecretBox): Promise<number> {
  let count = 0;
  await eachPage((afterId) => store.users.list({}, { limit: PAGE, ...(afterId ? { afterId } : {}) }).then((r) => r.items), (u) => u.user_id, async (user) => {
    for (const connection of user.identities.map((i) => i.connection)) {
      let identity = user.identities.find((i) => i.connection === connection);
      await retrying(`the ${connection} identity of user ${user.user_id}`, async () => {
        const tokens = identity ? resealTokens(box, user.user_id, identity) : null;
        if (!identity || !tokens) return true;
        const current = { access_token_enc: identity.access_token_enc, refresh_token_enc: identity.refresh_token_enc };
        const expires = identity.expires_at === undefined ? {} : { expires_at: identity.expires_at };
        const written = await store.users.updateIdentityTokens(user.user_id, connection, { ...tokens, ...expires }, current);
        if (written) {
          count++;
          return true;
        }
        identity = (await store.users.get(user.user_id))?.identities.find((i) => i.connection === connection);
        return false;
      });
    }
  });
  return count;
}
