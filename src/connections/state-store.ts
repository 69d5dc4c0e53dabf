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
  /** The console try this login is (its ticket id): set server-side by the broker, it makes the callback write no user. */
  try?: string;
}

/** The login being started, as the broker describes it to the state store. */
export interface PendingLogin {
  uid: string;
  connectionId: string;
  connection: string;
  vars: Record<string, string>;
  redirectUri: string;
  /** The try's ticket id when this is a dry run. */
  try?: string;
  /** Where the binding cookie is set. */
  res: Response;
}

/** The login transaction a stored record carries, or undefined when it is not one (then the sign-in cannot go on). */
export function attemptOf(tx: TransactionRecord): LoginTransaction | undefined {
  const p = tx.payload;
  if (typeof p['uid'] !== 'string' || !p['uid'] || typeof p['connection'] !== 'string' || !p['connection']) return undefined;
  const vars = p['vars'] && typeof p['vars'] === 'object' ? (p['vars'] as Record<string, string>) : {};
  return {
    uid: p['uid'], connection: p['connection'], bind: typeof p['bind'] === 'string' ? p['bind'] : '', vars,
    // Empty when a record carries none: the callback-address check is then skipped, as before it existed.
    redirectUri: typeof p['redirectUri'] === 'string' ? p['redirectUri'] : '',
    ...(typeof p['verifier'] === 'string' ? { verifier: p['verifier'] } : {}),
    ...(typeof p['try'] === 'string' && p['try'] ? { try: p['try'] } : {}),
  };
}

const sha256 = (v: string): string => createHash('sha256').update(v).digest('base64url');

type StoreCallback = (err: Error | null, handle?: string) => void;
type VerifyCallback = (err: Error | null, ok?: string | boolean, state?: unknown) => void;

/**
 * The state store of the way out, for one request: it records `start`. The way back never
 * reaches passport (the callback steps take the transaction and exchange the code), so
 * `verify` refuses: a callback that somehow came through passport fails closed.
 */
export function transactionStateStore(store: Store, ttlSeconds: number, secureCookie: boolean, start: PendingLogin) {
  return {
    store(_req: Request, verifier: string | undefined, _state: unknown, _meta: unknown, cb: StoreCallback): void {
      const handle = randomBytes(24).toString('base64url');
      const nonce = randomBytes(24).toString('base64url');
      const payload: LoginTransaction = {
        uid: start.uid, connection: start.connection, bind: sha256(nonce), vars: start.vars, redirectUri: start.redirectUri, ...(verifier ? { verifier } : {}),
        ...(start.try ? { try: start.try } : {}),
      };
      store.transactions.put({ id: handle, connection_id: start.connectionId, payload: { ...payload }, expiresAt: Date.now() + ttlSeconds * 1000 }).then(() => {
        start.res.cookie(`${BIND_COOKIE_PREFIX}${handle}`, nonce, {
          httpOnly: true, secure: secureCookie, sameSite: 'lax', path: CALLBACK_PATH, maxAge: ttlSeconds * 1000,
        });
        cb(null, handle);
      }, (err: Error) => cb(err));
    },
    verify(_req: Request, _state: string, cb: VerifyCallback): void {
      cb(null, false, { message: 'the callback is not handled by passport' });
    },
  };
}

/** True when this browser holds the binding cookie of the transaction. */
export function browserMatches(req: Request, handle: string, tx: Pick<LoginTransaction, 'bind'>): boolean {
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
