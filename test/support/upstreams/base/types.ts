/** Shared shapes of the upstream OAuth 2.0 emulators (test-only). */

/** What an emulator answers: status, headers and an already serialized body. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request as it arrived, kept so tests can assert what our server sent upstream. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Header names lower-case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  rawBody: string;
  /** Form or JSON body as an object; {} for anything else. */
  body: Record<string, unknown>;
  bodyType: 'form' | 'json' | 'other' | 'none';
  /** Query or form parameters sent more than once (RFC 6749 §3.1: MUST NOT). */
  repeated: string[];
  /** Which endpoint kind answered it, when known. */
  role?: Role;
  at: number;
}

export type Role = 'authorize' | 'token' | 'profile';

/** Failures that do not depend on the provider's dialect. */
export type TransportFault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'garbage'; contentType?: string }
  | { kind: 'redirect'; location?: string };

/** Token endpoint failures; invalid_client / invalid_grant are rendered in the provider's own error shape. */
export type TokenFault = TransportFault | { kind: 'invalid_client' } | { kind: 'invalid_grant' };

/** Knobs to make the upstream misbehave; mutable on the running emulator (upstream.faults). */
export interface Faults {
  /** The user "declines": a request that passed validation is redirected back with this error instead of a code. */
  authorize?: { error: string; description?: string };
  token?: TokenFault;
  profile?: TransportFault;
}

export type Profile = Record<string, unknown>;

/** Options every emulator takes. */
export interface CommonOptions {
  /** Registered client id (TikTok calls it client_key). */
  clientId: string;
  /** Absent for a public client. */
  clientSecret?: string;
  /** Registered redirect URIs, e.g. [`${ISSUER}login/callback`]. */
  redirectUris: string[];
  /** Profile of the user who signs in, merged over the provider's default user. */
  user?: Profile;
  faults?: Faults;
  /** Lifetime of authorization codes; defaults to the provider's documented value. */
  codeTtlMs?: number;
  accessTokenTtlSeconds?: number;
}

export interface CodeGrant {
  code: string;
  clientId: string;
  /** The redirect_uri sent, or the registered default when none was sent. */
  redirectUri: string;
  redirectUriSent: boolean;
  scopes: string[];
  challenge?: { value: string; method: string };
  userId: string;
  tenant?: string;
  /** The whole authorize query, for provider extras (nonce, user_scope...). */
  query: Record<string, string>;
  expiresAt: number;
  used: boolean;
}

export interface TokenGrant {
  accessToken: string;
  refreshToken?: string;
  /** False once the refresh token was rotated away or revoked. */
  refreshUsable: boolean;
  clientId: string;
  scopes: string[];
  userId: string;
  tenant?: string;
  /** Provider token kind, e.g. Slack "user" vs "bot". */
  kind: string;
  fromCode?: string;
  /** Everything the code grant knew (nonce, user_scope...), carried over on refresh. */
  query: Record<string, string>;
  expiresAt: number;
  /** Lifetime in seconds at issuance (the expires_in to answer). */
  expiresIn: number;
  revoked: boolean;
}

/** A running emulator. */
export interface Upstream {
  /** Base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Known users by provider id; the signed-in one is chosen with signInAs. */
  readonly users: Map<string, Profile>;
  /** Mutate to inject or clear failures while running. */
  readonly faults: Faults;
  readonly codesIssued: readonly CodeGrant[];
  readonly tokensIssued: readonly TokenGrant[];
  readonly lastAuthorize: RecordedRequest | undefined;
  readonly lastToken: RecordedRequest | undefined;
  readonly lastProfile: RecordedRequest | undefined;
  /** Adds (or replaces) a user and makes them the one the next authorization signs in. */
  signInAs(user: Profile): void;
  /** Moves the emulator's clock forward, to expire codes and tokens without waiting. */
  advanceTime(ms: number): void;
  close(): Promise<void>;
}
