import type { mongo } from 'mongoose';
import type { LogEvent } from '../../lib/log-events.ts';
import { StoreConflictError } from '../types.ts';
import type {
  ClientGrantRecord,
  ClientRecord,
  ConnectionRecord,
  ListOptions,
  ListResult,
  SigningKeyRecord,
  UserRecord,
} from '../types.ts';

// Stored shapes: the record plus `_id` (its id, so lists sort on the primary index) and
// whatever is only there to be indexed. `fromDoc` strips those again on the way out.
export type ClientDoc = ClientRecord & { _id: string };
export type ClientGrantDoc = ClientGrantRecord & { _id: string };
export type ConnectionDoc = ConnectionRecord & { _id: string };
/**
 * email_lower: the case-insensitive email filter is an index probe. identity_keys: the
 * identityKey of each identity, under a unique index (one identity belongs to one user).
 */
export type UserDoc = UserRecord & { _id: string; email_lower?: string; identity_keys?: string[] };
/** _id is the log_id; `date` stays ISO text (its text order is its time order). */
export type LogDoc = LogEvent & { _id: string };
/** _id is `${model}:${id}` (model names contain no ':'); expiresAt is a Date for the TTL index. */
export interface OidcDoc {
  _id: string;
  model: string;
  id: string;
  payload: Record<string, unknown>;
  uid?: string;
  userCode?: string;
  grantId?: string;
  accountId?: string;
  consumed?: number;
  expiresAt?: Date;
}
/** One change counter of Store.versions: _id is the collection's name. */
export interface VersionDoc {
  _id: string;
  version: number;
}

export interface KeySetDoc {
  _id: string;
  version: number;
  keys: SigningKeyRecord[];
  stable_key_enc?: string;
}
/** _id is aud + newline + jti (lists sort by (aud, jti)); expiresAt is a Date for the TTL index. */
export interface BlacklistDoc {
  _id: string;
  aud: string;
  jti: string;
  expiresAt: Date;
}
export interface TransactionDoc {
  _id: string;
  connection_id: string;
  payload: Record<string, unknown>;
  expiresAt: Date;
}

/** A JSON-clean copy: undefined fields vanish (the driver would store them as null). */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The record inside a stored document (drops `_id` and the listed index-only fields). */
export function fromDoc<T>(stored: { _id: string }, ...internal: string[]): T {
  const copy: Record<string, unknown> = { ...stored };
  delete copy['_id'];
  for (const key of internal) delete copy[key];
  return copy as T;
}

/** The record inside a user document (without _id and the index-only fields). */
export const userOf = (d: { _id: string }): UserRecord => fromDoc<UserRecord>(d, 'email_lower', 'identity_keys');

/** Matches documents whose expiresAt is unset or still in the future. */
export function live(): { $or: [{ expiresAt: { $exists: false } }, { expiresAt: { $gt: Date } }] } {
  return { $or: [{ expiresAt: { $exists: false } }, { expiresAt: { $gt: new Date() } }] };
}

/** Runs a write and turns duplicate-key error 11000 into `StoreConflictError`. */
export async function guardUnique<T>(idKey: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const pattern = 'keyPattern' in err && typeof err.keyPattern === 'object' && err.keyPattern ? err.keyPattern : {};
    const key = Object.keys(pattern).map((k) => (k === '_id' ? idKey : k)).join(',');
    throw new StoreConflictError(key || idKey);
  }
}

/** True for MongoDB's duplicate-key error. */
export function isDuplicateKey(err: unknown): err is { code: number } {
  // Duck-typed: instanceof breaks when the driver's errors come from another realm.
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 11000;
}

/** Order and checkpoint of a list that is not ordered by _id (logs sort by date). */
export interface DocOrder<D> {
  sort: mongo.Sort;
  /** Replaces `_id > afterId`; the total ignores it, as it ignores the checkpoint. */
  after?: mongo.Filter<D>;
}

/** One page of documents ordered by _id (or `order`), plus the total of the filter when asked. */
export async function listDocs<D extends { _id: string }, T>(
  collection: mongo.Collection<D>,
  filter: mongo.Filter<D>,
  options: ListOptions,
  toRecord: (doc: D) => T,
  order?: DocOrder<D>,
): Promise<ListResult<T>> {
  const limit = Math.max(0, Math.floor(options.limit));
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  // (cast: the driver's generic Filter<D> cannot express "_id of D" inside $and)
  const after = order?.after ?? (options.afterId === undefined ? undefined : { _id: { $gt: options.afterId } });
  const pageFilter = after === undefined ? filter : ({ $and: [filter, after] } as mongo.Filter<D>);
  // limit(0) means "no limit" to MongoDB, so an empty page is answered without asking.
  const docs =
    limit === 0 ? [] : await collection.find(pageFilter).sort(order?.sort ?? { _id: 1 }).skip(offset).limit(limit).toArray();
  const items = docs.map((d) => toRecord(d as D));
  if (!options.includeTotal) return { items };
  return { items, total: await collection.countDocuments(filter) };
}
