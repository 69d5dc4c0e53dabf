import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Store } from '../store/types.ts';

/** One signed-in admin: the Management API client it stands for and what that client's grant allows. */
export interface ConsoleSession {
  clientId: string;
  clientName: string;
  scopes: string[];
  /** Synchronizer token every state-changing request must echo (csrf.ts). */
  csrf: string;
  /** Epoch ms of sign-in (absolute timeout) and of the last request (idle timeout). */
  createdAt: number;
  seenAt: number;
}

export interface SessionOptions {
  store: Store;
  /** Seconds without a request before the session ends. */
  idleSeconds: number;
  /** Seconds after sign-in before the session ends regardless. */
  absoluteSeconds: number;
  /** Secure cookies when the issuer is https. */
  secure: boolean;
  /** Cookie path: the console's base path (e.g. /admin/). */
  path: string;
}

const MODEL = 'ConsoleSession';
export const COOKIE = 'brokerid_console';
/** Rewriting the record on every request is wasted work: the idle clock moves in steps of this much. */
const TOUCH_MS = 15_000;

/** The store key of a session id: a hash, so a copy of the store holds no usable cookie value. */
const keyOf = (sid: string): string => createHash('sha256').update(sid).digest('base64url');

function cookieValue(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return undefined;
}

/** Equal-time string comparison (CSRF tokens). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Server-side console sessions in the store's TTL records; the browser holds only a random id. */
export function createSessions(options: SessionOptions) {
  const { store } = options;
  const expiresAt = (s: ConsoleSession): number =>
    Math.min(s.seenAt + options.idleSeconds * 1000, s.createdAt + options.absoluteSeconds * 1000);
  const setCookie = (res: Response, value: string, maxAge: number): void => {
    res.cookie(COOKIE, value, { httpOnly: true, secure: options.secure, sameSite: 'lax', path: options.path, maxAge });
  };

  return {
    /** Starts a new session for a verified client and sets its cookie; the request's old session (if any) ends, so no id outlives a sign-in. */
    async start(req: Request, res: Response, who: Pick<ConsoleSession, 'clientId' | 'clientName' | 'scopes'>): Promise<ConsoleSession> {
      const old = cookieValue(req);
      if (old && old.length <= 100) await store.oidc.destroy(MODEL, keyOf(old));
      const sid = randomBytes(32).toString('base64url');
      const now = Date.now();
      const session: ConsoleSession = { ...who, csrf: randomBytes(32).toString('base64url'), createdAt: now, seenAt: now };
      await store.oidc.upsert(MODEL, keyOf(sid), { ...session }, expiresAt(session));
      setCookie(res, sid, options.absoluteSeconds * 1000);
      return session;
    },

    /** The live session of this request (its idle clock moved on), or undefined when there is none or it timed out. */
    async current(req: Request): Promise<ConsoleSession | undefined> {
      const sid = cookieValue(req);
      if (!sid || sid.length > 100) return undefined;
      const found = await store.oidc.find(MODEL, keyOf(sid));
      if (!found) return undefined;
      const session = found.payload as unknown as ConsoleSession;
      const now = Date.now();
      if (expiresAt(session) <= now) {
        await store.oidc.destroy(MODEL, keyOf(sid));
        return undefined;
      }
      if (now - session.seenAt > TOUCH_MS) {
        session.seenAt = now;
        await store.oidc.upsert(MODEL, keyOf(sid), { ...session }, expiresAt(session));
      }
      return session;
    },

    /** Ends this request's session (the record and the cookie). */
    async end(req: Request, res: Response): Promise<void> {
      const sid = cookieValue(req);
      if (sid && sid.length <= 100) await store.oidc.destroy(MODEL, keyOf(sid));
      res.clearCookie(COOKIE, { httpOnly: true, secure: options.secure, sameSite: 'lax', path: options.path });
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
