/** Authorization codes, tokens, PKCE and credential parsing shared by every emulator. */
import { createHash, randomBytes } from 'node:crypto';
import type { CodeGrant, RecordedRequest, TokenGrant } from './types.ts';

export const randomToken = (prefix: string, bytes = 24): string => prefix + randomBytes(bytes).toString('base64url');

export interface TokenIssue {
  clientId: string;
  scopes: string[];
  userId: string;
  tenant?: string;
  kind?: string;
  withRefresh: boolean;
  fromCode?: string;
  query?: Record<string, string>;
  /** Overrides the configured access token prefix (Slack bot tokens are xoxb-). */
  accessPrefix?: string;
}

/** How a refresh answers: same refresh token, a new one with the old still valid, or a new one that retires the old. */
export type RefreshMode = 'static' | 'reissue' | 'rotate';

export interface GrantsConfig {
  codeTtlMs: number;
  accessTtlSeconds: number;
  prefixes: { code: string; access: string; refresh: string };
}

/** The emulator's memory of what it issued; its clock can be moved forward. */
export class Grants {
  readonly codes: CodeGrant[] = [];
  readonly tokens: TokenGrant[] = [];
  readonly config: GrantsConfig;
  offsetMs = 0;

  constructor(config: GrantsConfig) {
    this.config = config;
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  issueCode(g: Omit<CodeGrant, 'code' | 'expiresAt' | 'used'>): CodeGrant {
    const grant = { ...g, code: randomToken(this.config.prefixes.code), expiresAt: this.now() + this.config.codeTtlMs, used: false };
    this.codes.push(grant);
    return grant;
  }

  /** Consumes a code. A second use revokes what the first one issued (RFC 6749 §4.1.2). */
  takeCode(code: string): CodeGrant | 'unknown' | 'reused' | 'expired' {
    const grant = this.codes.find((c) => c.code === code);
    if (!grant) return 'unknown';
    if (grant.used) {
      for (const t of this.tokens) if (t.fromCode === code) { t.revoked = true; t.refreshUsable = false; }
      return 'reused';
    }
    grant.used = true;
    return grant.expiresAt < this.now() ? 'expired' : grant;
  }

  issueTokens(i: TokenIssue, refreshToken?: string): TokenGrant {
    const grant: TokenGrant = {
      accessToken: randomToken(i.accessPrefix ?? this.config.prefixes.access),
      ...(i.withRefresh ? { refreshToken: refreshToken ?? randomToken(this.config.prefixes.refresh) } : {}),
      refreshUsable: i.withRefresh,
      clientId: i.clientId, scopes: i.scopes, userId: i.userId, kind: i.kind ?? 'user', query: i.query ?? {},
      tenant: i.tenant, fromCode: i.fromCode,
      expiresAt: this.now() + this.config.accessTtlSeconds * 1000,
      expiresIn: this.config.accessTtlSeconds,
      revoked: false,
    };
    this.tokens.push(grant);
    return grant;
  }

  /** A live access token, or undefined when unknown, expired or revoked. */
  findAccess(token: string | undefined): TokenGrant | undefined {
    const t = this.tokens.find((g) => g.accessToken === token);
    return t && !t.revoked && t.expiresAt > this.now() ? t : undefined;
  }

  findRefresh(token: string | undefined): TokenGrant | undefined {
    return this.tokens.findLast((g) => g.refreshToken === token && g.refreshUsable && !g.revoked);
  }

  refresh(old: TokenGrant, mode: RefreshMode, scopes: string[]): TokenGrant {
    if (mode !== 'reissue') old.refreshUsable = false;
    const next = { clientId: old.clientId, userId: old.userId, tenant: old.tenant, kind: old.kind, query: old.query };
    return this.issueTokens({ ...next, scopes, withRefresh: true }, mode === 'static' ? old.refreshToken : undefined);
  }
}

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Checks a code_challenge at the authorize endpoint; returns what is wrong, if anything. */
export function challengeProblem(value: string | undefined, method: string | undefined, allowed: string[]): string | undefined {
  if (value === undefined) return method === undefined ? undefined : 'code_challenge_method without code_challenge';
  const m = method ?? 'plain'; // RFC 7636 §4.3: absent method means plain
  if (!allowed.includes(m)) return `code_challenge_method ${m} is not supported (allowed: ${allowed.join(', ')})`;
  if (!VERIFIER.test(value)) return 'code_challenge must be 43-128 characters of [A-Za-z0-9-._~]';
  return undefined;
}

/** RFC 7636 §4.6 verification; TikTok desktop hex-encodes the SHA-256 instead of base64url. */
export function verifierMatches(challenge: { value: string; method: string }, verifier: string, encoding: 'base64url' | 'hex' = 'base64url'): boolean {
  if (!VERIFIER.test(verifier)) return false;
  if (challenge.method === 'plain') return verifier === challenge.value;
  return createHash('sha256').update(verifier).digest(encoding) === challenge.value;
}

const formDecode = (s: string): string => {
  try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; }
};

/** HTTP Basic client credentials; id and secret are form-encoded before base64 (RFC 6749 §2.3.1). */
export function basicCredentials(req: RecordedRequest): { id: string; secret: string } | undefined {
  const m = /^basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

/** The token of an `Authorization: <scheme> <token>` header when scheme is one of `schemes` (case-insensitive). */
export function bearer(req: RecordedRequest, schemes: string[] = ['bearer']): string | undefined {
  const m = /^(\S+)\s+(\S+)$/.exec(req.headers.authorization ?? '');
  return m?.[1] && m[2] && schemes.includes(m[1].toLowerCase()) ? m[2] : undefined;
}

/** The request's parameters as strings when its body type is accepted; {} otherwise. */
export function bodyParams(req: RecordedRequest, accepted: Array<'form' | 'json'>): Record<string, string> {
  if (req.bodyType !== 'form' && req.bodyType !== 'json') return {};
  if (!accepted.includes(req.bodyType)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.body)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  return out;
}
