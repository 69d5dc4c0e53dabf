/**
 * The persistence contract. Every backend (store/sqlite, store/mongo) implements `Store`
 * and is proven by the one conformance suite in test/store/conformance.ts.
 *
 * Guarantees every implementation must keep:
 * - Unique keys: an insert that would break a unique key rejects with `StoreConflictError`
 *   and writes nothing.
 * - Atomic writes: each method is all-or-nothing; `users.upsertLogin` writes user and
 *   identity in one atomic step; `oidc.consume` and `transactions.take` are single
 *   conditional updates, so among concurrent callers exactly one wins.
 * - TTL expiry: a record whose `expiresAt` has passed is never returned, even before the
 *   backend physically removes it.
 * - Records are plain JSON-compatible data; the store never interprets secret fields
 *   (they arrive already encrypted, as strings, from the layer above).
 * - Lists are ordered by the record's id (stable across pages); `afterId` starts after the
 *   given id (checkpoint paging); `offset` skips records (page paging).
 */
import type { WindowCounter, WindowRule } from '../lib/window-counter.ts';
import type { UserRootAttributes } from '../lib/profile.ts';

import type { LogEvent } from '../lib/log-events.ts';

/** Thrown by an insert/update that would break a unique key. */
export class StoreConflictError extends Error {
  readonly key: string;
  constructor(key: string, message?: string) {
    super(message ?? `unique key ${key} already taken`);
    this.name = 'StoreConflictError';
    this.key = key;
  }
}

/** Paging of a list: `offset`+`limit` (page paging) or `afterId`+`limit` (checkpoint paging). */
export interface ListOptions {
  limit: number;
  offset?: number;
  afterId?: string;
  /** When true the result carries `total`, the count of all matching records. */
  includeTotal?: boolean;
}

export interface ListResult<T> {
  items: T[];
  total?: number;
}

// ---------------------------------------------------------------- clients

/** An application (relying party), stored in Auth0's shape. */
export interface ClientRecord {
  client_id: string;
  name: string;
  description?: string;
  app_type: 'native' | 'spa' | 'regular_web' | 'non_interactive';
  is_first_party: boolean;
  callbacks: string[];
  allowed_logout_urls: string[];
  allowed_origins: string[];
  web_origins: string[];
  grant_types: string[];
  token_endpoint_auth_method: 'none' | 'client_secret_post' | 'client_secret_basic';
  /** When false a confidential client may skip PKCE; public clients always need it. */
  require_pkce: boolean;
  /** Encrypted client secret (absent for public clients). */
  client_secret_enc?: string;
  client_metadata: Record<string, string>;
  /** Bumped on every update; lets caches notice changes. */
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ClientRepo {
  get(clientId: string): Promise<ClientRecord | null>;
  /** Rejects with StoreConflictError when client_id is taken. */
  insert(client: ClientRecord): Promise<void>;
  /** Replaces the stored record; resolves false when it does not exist. */
  replace(client: ClientRecord): Promise<boolean>;
  /**
   * Replaces the stored record only while its version is still `expectedVersion` (one
   * conditional write); resolves false when it is missing or was changed meanwhile.
   */
  replaceIfVersion(client: ClientRecord, expectedVersion: number): Promise<boolean>;
  /** Resolves false when it did not exist. Also deletes its client grants. */
  delete(clientId: string): Promise<boolean>;
  list(options: ListOptions): Promise<ListResult<ClientRecord>>;
}

// ---------------------------------------------------------------- client grants

/** Permission for a client to get tokens for an audience with some scopes (Auth0 client-grants). */
export interface ClientGrantRecord {
  id: string;
  client_id: string;
  audience: string;
  scope: string[];
  created_at: string;
  updated_at: string;
}

export interface ClientGrantFilter {
  client_id?: string;
  audience?: string;
}

export interface ClientGrantRepo {
  get(id: string): Promise<ClientGrantRecord | null>;
  /** Unique key: (client_id, audience). */
  find(clientId: string, audience: string): Promise<ClientGrantRecord | null>;
  insert(grant: ClientGrantRecord): Promise<void>;
  replace(grant: ClientGrantRecord): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  list(filter: ClientGrantFilter, options: ListOptions): Promise<ListResult<ClientGrantRecord>>;
}

// ---------------------------------------------------------------- connections

/** A connection (identity source), stored in Auth0's shape. Secret option values arrive encrypted. */
export interface ConnectionRecord {
  id: string;
  /** Unique, never changes. */
  name: string;
  display_name?: string;
  strategy: string;
  options: Record<string, unknown>;
  enabled_clients: string[];
  realms: string[];
  is_domain_connection: boolean;
  show_as_button: boolean;
  metadata: Record<string, string>;
  /** Bumped on every update; compiled scripts are cached per (id, version). */
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ConnectionFilter {
  /** Any of these strategies. */
  strategy?: string[];
  name?: string;
  /** Only connections whose enabled_clients contains this client_id. */
  enabledClientId?: string;
}

export interface ConnectionRepo {
  get(id: string): Promise<ConnectionRecord | null>;
  getByName(name: string): Promise<ConnectionRecord | null>;
  /** Unique keys: id, name. */
  insert(connection: ConnectionRecord): Promise<void>;
  /**
   * Replaces the stored record (name must be unchanged) under optimistic concurrency: only
   * when the stored version is `connection.version - 1`. Resolves false when missing; rejects
   * with StoreConflictError (key `version`) when someone else changed it meanwhile.
   */
  replace(connection: ConnectionRecord): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  list(filter: ConnectionFilter, options: ListOptions): Promise<ListResult<ConnectionRecord>>;
  /** Removes clientId from every connection's enabled_clients (a client was deleted). */
  removeClientEverywhere(clientId: string): Promise<void>;
}

// ---------------------------------------------------------------- users

/** One linked account of a user at an identity source. */
export interface IdentityRecord {
  provider: string;
  connection: string;
  /**
   * The identity's id in Auth0's shape: `<connection>|<upstream id>` for custom social
   * connections. With the provider it names the identity everywhere: see identityKey.
   */
  user_id: string;
  isSocial: boolean;
  profileData?: Record<string, unknown>;
  /** Encrypted upstream tokens. */
  access_token_enc?: string;
  refresh_token_enc?: string;
  /** Upstream access token expiry, ISO time. */
  expires_at?: string;
  /** URL template values the login used (per-tenant hosts); a token refresh needs the same. */
  connection_vars?: Record<string, string>;
}

/**
 * The key of an identity, `<provider>|<identity user_id>`: unique across all users (an
 * identity belongs to one user), and the user_id of the user it stands for when not linked.
 */
export const identityKey = (identity: Pick<IdentityRecord, 'provider' | 'user_id'>): string => `${identity.provider}|${identity.user_id}`;

/** Root attributes that a login may set on a user: declared once, with their limits, in lib/profile.ts. */
export type { UserRootAttributes };

export interface UserRecord extends UserRootAttributes {
  /** `<provider>|<connection>|<upstream id>` for social users: the identityKey of its main identity (identities[0]). */
  user_id: string;
  /** The main identity first, then the linked ones. Each identity's connection appears once. */
  identities: IdentityRecord[];
  /** Profile fields the upstream returned beyond the recognized root attributes. */
  extra: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  app_metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  last_login?: string;
  logins_count: number;
  /** Set by the Management API; a blocked user's logins are refused. */
  blocked?: boolean;
}

export interface UserFilter {
  /** Exact match, case-insensitive. */
  email?: string;
  /** Users with an identity at this connection name. */
  connection?: string;
}

/** Everything one successful login writes. */
export interface LoginUpsert {
  /** The id a new user gets (identityKey of `identity`); an existing user is found by the identity. */
  user_id: string;
  identity: IdentityRecord;
  root: UserRootAttributes;
  extra: Record<string, unknown>;
  /** `on_each_login`: root + extra are refreshed on every login; `on_first_login`: only set at creation. */
  setRootAttributes: 'on_each_login' | 'on_first_login';
  /** ISO time of the login. */
  now: string;
}

/** A Management API change of one user (PATCH /users/:id), already validated. */
export interface UserChange {
  /** Merged at the first level: a key set to null is removed, any other value replaces the stored one whole. */
  user_metadata?: Record<string, unknown>;
  app_metadata?: Record<string, unknown>;
  blocked?: boolean;
  /** Root attributes to set (the others are kept). */
  root?: UserRootAttributes;
  /** ISO time of the change (updated_at). */
  now: string;
}

/** Why a link or unlink wrote nothing. */
export type LinkRefusal =
  /** The user the call is about (the primary) does not exist. */
  | 'user_missing'
  /** The secondary user does not exist. */
  | 'secondary_missing'
  /** The primary already has an identity at a connection the secondary has one at. */
  | 'connection_taken'
  /** (unlink) The primary has no such identity. */
  | 'identity_missing'
  /** (unlink) The identity is the user's main one (its user_id); it cannot leave it. */
  | 'main_identity'
  /** A record changed between read and write (a login meanwhile); nothing was written, try again. */
  | 'changed';

export type LinkResult = { ok: true; user: UserRecord } | { ok: false; reason: LinkRefusal };
export type UnlinkResult = { ok: true; user: UserRecord; unlinked: UserRecord } | { ok: false; reason: LinkRefusal };

export interface UserRepo {
  get(userId: string): Promise<UserRecord | null>;
  /** The user holding the identity with this key (see identityKey), linked or not. */
  getByIdentity(key: string): Promise<UserRecord | null>;
  delete(userId: string): Promise<boolean>;
  list(filter: UserFilter, options: ListOptions): Promise<ListResult<UserRecord>>;
  /**
   * One atomic write: creates the user (logins_count 1, created_at = now) or updates it
   * (logins_count + 1, last_login = now, the identity with this connection replaced, root
   * attributes per setRootAttributes). The user is the one holding the identity (a primary
   * it was linked to), else the one with input.user_id, else a new one with that id.
   * Concurrent first logins of one user create it once.
   */
  upsertLogin(input: LoginUpsert): Promise<{ user: UserRecord; created: boolean }>;
  /**
   * Replaces the token fields of one identity; resolves null when user or identity is missing.
   * With `ifCurrent`, one conditional write: only while the identity's sealed tokens are still
   * exactly those (an absent field must be absent), null otherwise.
   */
  updateIdentityTokens(
    userId: string,
    connection: string,
    tokens: Pick<IdentityRecord, 'access_token_enc' | 'refresh_token_enc' | 'expires_at'>,
    ifCurrent?: Pick<IdentityRecord, 'access_token_enc' | 'refresh_token_enc'>,
  ): Promise<UserRecord | null>;
  /**
   * Applies a Management API change in one atomic write (metadata merged at the first level,
   * a null value removing its key). Resolves null when the user is missing.
   */
  update(userId: string, change: UserChange): Promise<UserRecord | null>;
  /**
   * Account linking: moves every identity of the secondary onto the primary (after its own)
   * and deletes the secondary, so no moment shows the identities on both or on neither.
   * sqlite: one transaction. mongodb (which has no multi-document transaction on a standalone
   * server): an ordered write with compensation: the secondary is deleted only if unchanged
   * since read, then the identities are pushed onto the primary; if that fails the secondary
   * is put back as read and the result is a refusal. A login through a moved identity in the
   * milliseconds between the two writes creates a fresh secondary and the link answers
   * `changed` (the old secondary's metadata is then lost).
   */
  link(primaryId: string, secondaryId: string, now: string): Promise<LinkResult>;
  /**
   * Moves one identity (by its key) out of the user into a new user of its own, whose
   * user_id is the key and whose profile comes from the identity's profileData. sqlite: one
   * transaction; mongodb: the identity is pulled from the user, then the new user inserted
   * (the identity pushed back if that fails).
   */
  unlink(userId: string, key: string, now: string): Promise<UnlinkResult>;
}

// ---------------------------------------------------------------- oidc-provider models

/** A stored oidc-provider model instance (Session, AccessToken, AuthorizationCode, Grant, ...). */
export interface OidcRecord {
  payload: Record<string, unknown>;
  /** Epoch seconds when consumed, if it was. */
  consumed?: number;
  /** Epoch milliseconds; the record is gone after this. */
  expiresAt?: number;
}

/**
 * The secondary keys a record is found by. The caller passes them explicitly (the adapter
 * passes keyed hashes of oidc-provider's uid and userCode), so the store never copies a
 * payload value into a lookup column.
 */
export interface OidcLookup {
  uid?: string;
  userCode?: string;
}

/** One write of `OidcRepo.writeMany`: an upsert (as `upsert` makes it) or, with `payload` null, a destroy. */
export interface OidcWrite {
  model: string;
  id: string;
  payload: Record<string, unknown> | null;
  expiresAt?: number;
  lookup?: OidcLookup;
}

export interface OidcRepo {
  /** Creates or replaces (model, id); `lookup` replaces the record's secondary keys (none when omitted). */
  upsert(model: string, id: string, payload: Record<string, unknown>, expiresAt?: number, lookup?: OidcLookup): Promise<void>;
  /**
   * Applies the writes of one request together: afterwards every read answers exactly as if
   * each had been made in order by `upsert` / `destroy` (a later write of the same (model, id)
   * wins). sqlite: one statement, all or nothing. mongodb opts out of all-or-nothing (no
   * multi-document transactions on a standalone server): one ordered bulk write, which stops
   * at the first failure, the writes before it made.
   */
  writeMany(writes: OidcWrite[]): Promise<void>;
  find(model: string, id: string): Promise<OidcRecord | null>;
  /** Looks up by the `uid` given at upsert (Session). */
  findByUid(model: string, uid: string): Promise<OidcRecord | null>;
  /** Looks up by the `userCode` given at upsert (DeviceCode). */
  findByUserCode(model: string, userCode: string): Promise<OidcRecord | null>;
  destroy(model: string, id: string): Promise<void>;
  /** Deletes every record of every model whose payload.grantId matches. */
  revokeByGrantId(grantId: string): Promise<void>;
  /** Deletes every record of every model whose payload.accountId matches (sessions, grants, tokens of a user). */
  revokeByAccountId(accountId: string): Promise<void>;
  /** Marks consumed; resolves true for exactly one caller, false if already consumed or missing. */
  consume(model: string, id: string): Promise<boolean>;
}

// ---------------------------------------------------------------- signing keys

export interface SigningKeyRecord {
  kid: string;
  alg: string;
  /** `next`: published, not yet signing; `current`: signs; `previous`: kept for verification. */
  status: 'next' | 'current' | 'previous';
  /** Encrypted private JWK (JSON). */
  jwk_enc: string;
  created_at: string;
}

/** The whole key set, replaced as one document under optimistic concurrency. */
export interface KeySet {
  version: number;
  keys: SigningKeyRecord[];
  /**
   * Sealed root of the keys that must outlive SECRETS_KEY rotations: the keyed hash under
   * which oidc-provider's ids are stored, and the cookie signing key. Made once and carried
   * through every rotation (re-sealed, never replaced): a new one would orphan every session
   * and token.
   */
  stable_key_enc?: string;
}

export interface KeyRepo {
  get(): Promise<KeySet | null>;
  /**
   * Stores `next` only if the stored version equals `expectedVersion` (null: nothing stored
   * yet) and next.version === expectedVersion + 1 (1 for the first). Resolves false when
   * another writer got there first; the caller re-reads.
   */
  compareAndSet(expectedVersion: number | null, next: KeySet): Promise<boolean>;
}

// ---------------------------------------------------------------- login transactions

/** Short-lived state of one upstream login (keyed by the upstream `state`). */
export interface TransactionRecord {
  id: string;
  connection_id: string;
  payload: Record<string, unknown>;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface TransactionRepo {
  put(tx: TransactionRecord): Promise<void>;
  /** Returns and deletes in one step; exactly one concurrent caller gets it. */
  take(id: string): Promise<TransactionRecord | null>;
  deleteByConnection(connectionId: string): Promise<void>;
}

// ---------------------------------------------------------------- tenant logs

/** Filter of a log list; every present field must match (AND). */
export interface LogFilter {
  /** Any of these type codes. */
  types?: string[];
  user_id?: string;
  client_id?: string;
  connection?: string;
  /** ISO time, inclusive. */
  dateFrom?: string;
  /** ISO time, exclusive. */
  dateTo?: string;
}

/**
 * Paging of a log list. Page paging: `offset` + `limit` (+ `includeTotal`). Checkpoint
 * paging: `afterId` = a log_id; the page holds the events that come strictly after it in
 * the requested order (an unknown afterId yields an empty page).
 */
export interface LogListOptions extends ListOptions {
  /** By `date` (ties broken by `log_id`, the same way): `asc` oldest first, `desc` newest first. */
  order: 'asc' | 'desc';
}

/**
 * Tenant log events (src/lib/log-events.ts has their shape), append-only.
 * - `insertMany` stores every event of the batch or rejects (sqlite: nothing written;
 *   mongo opts out, see store/mongo/logs.ts). Each insert costs O(log n) in the number of
 *   stored events (index maintenance only, no scans), so a full store logs as fast as an
 *   empty one. A taken log_id rejects with StoreConflictError.
 * - Lists are ordered by (`date`, `log_id`); every filter is served by an index.
 * - `purgeBefore` deletes every event whose date is before the given ISO time, and
 *   resolves the number deleted.
 */
export interface LogRepo {
  insertMany(events: LogEvent[]): Promise<void>;
  get(logId: string): Promise<LogEvent | null>;
  list(filter: LogFilter, options: LogListOptions): Promise<ListResult<LogEvent>>;
  purgeBefore(date: string): Promise<number>;
}

// ---------------------------------------------------------------- revoked tokens

/** One revoked access token (Auth0's blacklist): the token with this `jti` for `aud` is refused. */
export interface BlacklistEntry {
  aud: string;
  jti: string;
}

export interface BlacklistRepo {
  /**
   * Records a revoked token until `expiresAt` (epoch ms: when the token expires at the
   * latest). Idempotent: adding it again keeps one entry, with the later expiry.
   */
  add(entry: BlacklistEntry, expiresAt: number): Promise<void>;
  /** True while (aud, jti) is recorded and not expired. */
  has(aud: string, jti: string): Promise<boolean>;
  /** Live entries, optionally of one audience, ordered by (aud, jti). */
  list(filter: { aud?: string }, options: ListOptions): Promise<ListResult<BlacklistEntry>>;
}

// ---------------------------------------------------------------- versions (for in-process caches)

/** The collections whose changes `Store.versions` announces: the rarely changed records every request reads. */
export const VERSIONED_COLLECTIONS = ['clients', 'client_grants', 'connections', 'keyset'] as const;
export type VersionedCollection = (typeof VERSIONED_COLLECTIONS)[number];

/**
 * Change counters of the versioned collections, so a process can cache their records and
 * still see a change made by another process or server (src/store/versions.ts builds the
 * caches on it).
 * - After any write method of `clients`, `clientGrants`, `connections` or `keys` resolves
 *   (or rejects: it may have written part), `current()` answers a greater number for every
 *   collection it may have changed, in every process and server on this store. sqlite: the
 *   counter is bumped by triggers in the writing transaction itself; mongodb (no multi-document
 *   transactions on a standalone server): bumped right after the write, so a server that dies
 *   between the two leaves other caches stale until the next change or their entry's age limit.
 * - `current()` is one read, whatever the number of collections; a collection never changed counts 0.
 * - `localWrites()` counts, without I/O, the write calls made through this Store object
 *   (incremented as each starts and again as it ends), so this process sees its own changes at once.
 */
export interface VersionRepo {
  current(): Promise<Record<VersionedCollection, number>>;
  localWrites(): number;
}

/** Counts what the store sends to its database, for `brokerid_store_statements_total` (src/metrics). Each call must be cheap and synchronous. */
export interface StoreMetrics {
  /** One statement (sqlite: one executed SQL statement other than BEGIN/COMMIT/ROLLBACK; mongodb: one driver command). */
  storeStatement(kind: 'read' | 'write'): void;
}

// ---------------------------------------------------------------- the store

export interface Store {
  readonly kind: 'sqlite' | 'mongodb';
  clients: ClientRepo;
  clientGrants: ClientGrantRepo;
  connections: ConnectionRepo;
  users: UserRepo;
  oidc: OidcRepo;
  keys: KeyRepo;
  transactions: TransactionRepo;
  logs: LogRepo;
  blacklists: BlacklistRepo;
  versions: VersionRepo;
  /**
   * Fixed-window counters shared by every server on this store (the rate limits, src/limits).
   * - `increment` is atomic: concurrent increments of one key, from any process or server, each count once.
   * - A key's window starts at its first increment and ends `durationSeconds` later; then it counts from 0.
   * - Counters of different `name`s never share a key.
   * The embedded (sqlite) store opts out: one file serves one machine, whose WORKERS share
   * their counts through the cluster primary instead (a write per request would cost more).
   */
  windowCounter?(name: string, rule: WindowRule): WindowCounter;
  /** Resolves when the backend answers; rejects when it is unreachable (readiness). */
  ping(): Promise<void>;
  /** Physically removes expired records (backends with native TTL may do nothing). */
  purgeExpired(): Promise<void>;
  close(): Promise<void>;
}
