import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Store } from '../../store/types.ts';

/**
 * A try's ticket: the server-side mark that makes one login a dry run. The console issues it
 * to the admin's browser (a random id that travels as the tester's `state`, plus an HttpOnly
 * cookie binding it to that browser); the broker accepts a tester login only with both.
 * Reports of finished tries are kept the same way, for a short while, already masked.
 */

const TICKET_PREFIX = 'try.';
const REPORT_PREFIX = 'tryr.';
const COOKIE_PREFIX = 'brk_try_';
/** The broker reads the cookie on /login/:uid, where a login leaves for the provider. */
const COOKIE_PATH = '/login';
/** A report stays readable this long (reloads, a second look). */
export const REPORT_TTL_MS = 15 * 60_000;

/** The upstream authorization request of a try, values of one-time parameters masked. */
export const AuthorizeTraceSchema = z.object({ endpoint: z.string(), params: z.array(z.object({ name: z.string(), value: z.string() })), at: z.number() });
export type AuthorizeTrace = z.infer<typeof AuthorizeTraceSchema>;

const TicketSchema = z.object({
  kind: z.literal('try_ticket'),
  owner: z.string(),
  bind: z.string(),
  startedAt: z.number(),
  authorize: AuthorizeTraceSchema.optional(),
});
export type Ticket = z.infer<typeof TicketSchema> & { id: string; connectionId: string; expiresAt: number };

const sha256 = (v: string): string => createHash('sha256').update(v).digest('base64url');

/** Issues a ticket for `owner` to try `connectionId` in this browser; resolves its id. */
export async function issueTicket(store: Store, res: Response, o: { connectionId: string; owner: string; ttlSeconds: number; secure: boolean }): Promise<string> {
  const handle = randomBytes(24).toString('base64url');
  const nonce = randomBytes(24).toString('base64url');
  const id = `${TICKET_PREFIX}${handle}`;
  const payload: z.infer<typeof TicketSchema> = { kind: 'try_ticket', owner: o.owner, bind: sha256(nonce), startedAt: Date.now() };
  await store.transactions.put({ id, connection_id: o.connectionId, payload, expiresAt: Date.now() + o.ttlSeconds * 1000 });
  res.cookie(`${COOKIE_PREFIX}${handle}`, nonce, { httpOnly: true, secure: o.secure, sameSite: 'lax', path: COOKIE_PATH, maxAge: o.ttlSeconds * 1000 });
  return id;
}

/** Reads a ticket without using it up (take, then put back: the store has no plain read). */
export async function readTicket(store: Store, id: unknown): Promise<Ticket | undefined> {
  if (typeof id !== 'string' || !id.startsWith(TICKET_PREFIX) || id.length > 80) return undefined;
  const tx = await store.transactions.take(id);
  if (!tx) return undefined;
  await store.transactions.put(tx);
  const parsed = TicketSchema.safeParse(tx.payload);
  return parsed.success ? { ...parsed.data, id, connectionId: tx.connection_id, expiresAt: tx.expiresAt } : undefined;
}

/** Saves a changed ticket (its expiry unchanged). */
export async function saveTicket(store: Store, t: Ticket): Promise<void> {
  const { id, connectionId, expiresAt, ...payload } = t;
  await store.transactions.put({ id, connection_id: connectionId, payload, expiresAt });
}

/** Uses a ticket up (its report is being written). */
export async function takeTicket(store: Store, id: string): Promise<Ticket | undefined> {
  const tx = await store.transactions.take(id);
  const parsed = tx ? TicketSchema.safeParse(tx.payload) : undefined;
  return tx && parsed?.success ? { ...parsed.data, id, connectionId: tx.connection_id, expiresAt: tx.expiresAt } : undefined;
}

/** True when this browser holds the ticket's binding cookie. */
export function holdsTicket(req: Request, t: Ticket): boolean {
  const name = `${COOKIE_PREFIX}${t.id.slice(TICKET_PREFIX.length)}=`;
  const value = (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(name))?.slice(name.length);
  return !!value && sha256(value) === t.bind;
}

/** Stores a finished try's (masked) report; resolves its id. */
export async function putReport(store: Store, connectionId: string, owner: string, report: unknown): Promise<string> {
  const id = `${REPORT_PREFIX}${randomBytes(24).toString('base64url')}`;
  await store.transactions.put({ id, connection_id: connectionId, payload: { kind: 'try_report', owner, report }, expiresAt: Date.now() + REPORT_TTL_MS });
  return id;
}

/** A stored report of `connectionId`, or undefined when unknown or expired. */
export async function readReport(store: Store, id: string, connectionId: string): Promise<{ owner: string; report: unknown } | undefined> {
  if (!id.startsWith(REPORT_PREFIX) || id.length > 80) return undefined;
  const tx = await store.transactions.take(id);
  if (!tx) return undefined;
  await store.transactions.put(tx);
  const p = tx.payload;
  if (tx.connection_id !== connectionId || p['kind'] !== 'try_report' || typeof p['owner'] !== 'string') return undefined;
  return { owner: p['owner'], report: p['report'] };
}
