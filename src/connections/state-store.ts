import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Store, TransactionRecord } from '../store/types.ts';
import { CALLBACK_PATH } from './upstream-urls.ts';

/**
 * passport-oauth2's state store, one record per login attempt: the upstream `state` is a
 * random handle to a transaction bound to this browser (a cookie named after the handle,
 * so two tabs or two connections never overwrite each other) and to this connection.
 */

export const BIND_COOKIE_PREFIX = 'brk_';

/** What a login attempt remembers between leaving for the provider and coming back. */
export interface LoginTransaction {
  uid: string;
  connection: string;
  verifier?: string;
  /** SHA-256 of the browser-binding cookie value. */
  bind: string;
  /** Template values the URLs were rendered with (the token URL needs the same). */
  vars: Record<string, string>;
  /** The redirect_uri this login used: the callback must arrive on the same path. */
  redirectUri: string;
}

const sha256 = (v: string): string => createHash('sha256').update(v).digest('base64url');

type StoreCallback = (err: Error | null, handle?: string) => void;
type VerifyCallback = (err: Error | null, ok?: string | boolean, state?: unknown) => void;

/** Creates the per-login state store. `pending` describes the login being started (set by the broker). */
export function transactionStateStore(store: Store, ttlSeconds: number, secureCookie: boolean, pending: {
  start?: { uid: string; connectionId: string; connection: string; vars: Record<string, string>; redirectUri: string; res: Response };
  taken?: TransactionRecord;
}) {
  return {
    store(_req: Request, verifier: string | undefined, _state: unknown, _meta: unknown, cb: StoreCallback): void {
      const start = pending.start;
      if (!start) return cb(new Error('no login in progress'));
      const handle = randomBytes(24).toString('base64url');
      const nonce = randomBytes(24).toString('base64url');
      const payload: LoginTransaction = {
        uid: start.uid, connection: start.connection, bind: sha256(nonce), vars: start.vars, redirectUri: start.redirectUri, ...(verifier ? { verifier } : {}),
      };
      store.transactions.put({ id: handle, connection_id: start.connectionId, payload: { ...payload }, expiresAt: Date.now() + ttlSeconds * 1000 }).then(() => {
        start.res.cookie(`${BIND_COOKIE_PREFIX}${handle}`, nonce, {
          httpOnly: true, secure: secureCookie, sameSite: 'lax', path: CALLBACK_PATH, maxAge: ttlSeconds * 1000,
        });
        cb(null, handle);
      }, (err: Error) => cb(err));
    },
    // The broker takes the transaction (single use) before passport runs; this hands passport its verifier.
    verify(_req: Request, _state: string, cb: VerifyCallback): void {
      const payload = pending.taken?.payload as Partial<LoginTransaction> | undefined;
      if (!payload) return cb(null, false, { message: 'no login in progress' });
      cb(null, payload.verifier ?? true);
    },
  };
}

/** True when this browser holds the binding cookie of the transaction. */
export function browserMatches(req: Request, handle: string, tx: Partial<LoginTransaction>): boolean {
  const cookies = (req.headers.cookie ?? '').split(/;\s*/);
  const prefix = `${BIND_COOKIE_PREFIX}${handle}=`;
  const value = cookies.find((c) => c.startsWith(prefix))?.slice(prefix.length);
  if (!value || !tx.bind) return false;
  try {
    return sha256(decodeURIComponent(value)) === tx.bind;
  } catch {
    return false;
  }
}
