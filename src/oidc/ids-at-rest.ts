import { createHmac, createSecretKey } from 'node:crypto';
import { FifoCache } from '../lib/fifo-cache.ts';
import { isRecord } from '../lib/is-record.ts';
import type { OidcLookup } from '../store/types.ts';

/**
 * oidc-provider's opaque ids (access and refresh tokens, codes, session and interaction
 * cookies, grants) are bearer secrets: the store only ever sees their keyed hash, so a copy
 * of the database yields nothing that works. The key is the key set's id hash key, which
 * SECRETS_KEY rotations re-seal but never replace.
 */
export interface IdsAtRest {
  /** The stored key for an id, uid or user code (HMAC-SHA256, base64url). */
  hash(value: string): string;
  /** The payload as stored: without its raw id (`jti`, the interaction's resume URL) or the session id an interaction copies. */
  toStored(model: string, id: string, payload: Record<string, unknown>): Record<string, unknown>;
  /** The payload found under `id`, with the id put back where toStored took it out. */
  fromStored(id: string, stored: Record<string, unknown>): Record<string, unknown>;
  /** The secondary keys of a payload, hashed. */
  lookup(payload: Record<string, unknown>): OidcLookup;
}

/** Stands for the record's own id inside a stored value (ids are [A-Za-z0-9_-], so it never occurs in one). */
const ID_MARK = '{id}';

/** How many recently hashed ids are remembered (a few per login in flight). */
const RECENT_IDS = 4096;

/** The id hashing of one key. */
export function idsAtRest(key: Buffer): IdsAtRest {
  const secret = createSecretKey(key);
  // One login hashes the same few ids over and over (the interaction's id about seven times,
  // three times in one callback): the recent ones are kept. They are in this process's memory
  // anyway, next to the key itself, so keeping them adds nothing a memory reader lacks.
  const recent = new FifoCache<string, string>(RECENT_IDS);
  const hash = (value: string): string => {
    let hashed = recent.get(value);
    if (hashed === undefined) {
      hashed = createHmac('sha256', secret).update(value).digest('base64url');
      recent.set(value, hashed);
    }
    return hashed;
  };
  return {
    hash,
    toStored(model, id, payload) {
      const { jti: _id, ...stored } = payload;
      if (model === 'Interaction') {
        // Its resume URL ends with its own id.
        if (typeof stored['returnTo'] === 'string') stored['returnTo'] = stored['returnTo'].replaceAll(id, ID_MARK);
        // It keeps the session's cookie value, which nothing reads back: that is the session id.
        if (isRecord(stored['session'])) {
          const { cookie: _cookie, ...session } = stored['session'];
          stored['session'] = session;
        }
      }
      return stored;
    },
    fromStored(id, stored) {
      const payload: Record<string, unknown> = { ...stored, jti: id };
      if (typeof payload['returnTo'] === 'string') payload['returnTo'] = payload['returnTo'].replaceAll(ID_MARK, id);
      return payload;
    },
    lookup(payload) {
      const { uid, userCode } = payload;
      return {
        ...(typeof uid === 'string' ? { uid: hash(uid) } : {}),
        ...(typeof userCode === 'string' ? { userCode: hash(userCode) } : {}),
      };
    },
  };
}
