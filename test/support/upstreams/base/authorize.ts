/** The authorization endpoint every emulator runs, parameterized by the provider's rules. */
import { challengeProblem } from './grants.ts';
import type { Ctx } from './http.ts';
import { redirect } from './http.ts';
import type { Reply } from './types.ts';
import type { Core } from './upstream.ts';

export interface AuthzError {
  error: string;
  description: string;
}

export interface ScopeRule {
  /** Query parameter carrying scopes (default "scope"). */
  param?: string;
  separator: ' ' | ',';
  required: boolean;
  /** Whether one scope value is known/well-formed for this provider. */
  valid(scope: string): boolean;
}

export interface AuthorizeRules {
  /** Name of the client id parameter (TikTok: client_key). */
  clientParam?: string;
  /** GitHub and Slack do not use response_type; everyone else requires "code". */
  responseType: 'required' | 'ignored';
  redirectUri: 'required' | 'optional';
  /** "subpath": same origin and a path under the registered one (GitHub, Slack). */
  redirectMatch: 'exact' | 'subpath';
  scopes: ScopeRule[];
  pkce: 'required' | 'optional';
  pkceMethods: string[];
  stateRequired?: boolean;
  /** How the provider shows an error it cannot redirect; `about` says which part of the request was wrong. */
  page(message: string, about: 'client' | 'redirect_uri' | 'request'): Reply;
  /** X shows every error as a page instead of redirecting with error=. */
  errorsAsPages?: boolean;
  /** GitHub sends a redirect_uri mismatch to the registered callback with error=redirect_uri_mismatch. */
  mismatchToRegistered?: AuthzError;
  /** Extra redirect parameters on errors (GitHub's error_uri). */
  errorExtras?(e: AuthzError): Record<string, string>;
  /** Provider-specific checks run after the standard ones. */
  check?(query: Record<string, string>, ctx: Ctx): AuthzError | undefined;
}

/** Appends params to a redirect URI, keeping its own query (RFC 6749 §3.1.2). */
export function withParams(uri: string, params: Record<string, string | undefined>): string {
  const u = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

function redirectMatches(sent: string, registered: string, how: 'exact' | 'subpath'): boolean {
  if (how === 'exact') return sent === registered;
  try {
    const s = new URL(sent);
    const r = new URL(registered);
    const dir = r.pathname.endsWith('/') ? r.pathname : `${r.pathname}/`;
    return s.origin === r.origin && (s.pathname === r.pathname || s.pathname.startsWith(dir));
  } catch {
    return false;
  }
}

/** Splits a scope parameter; an invalid_scope error when a value is empty, malformed or unknown. */
export function parseScopes(raw: string | undefined, rule: ScopeRule): string[] | AuthzError {
  if (raw === undefined || raw === '') {
    return rule.required ? { error: 'invalid_scope', description: `${rule.param ?? 'scope'} is required` } : [];
  }
  const list = raw.split(rule.separator);
  const bad = list.find((s) => s === '' || !rule.valid(s));
  if (bad === undefined) return list;
  const sep = rule.separator === ' ' ? 'space' : 'comma';
  return { error: 'invalid_scope', description: `invalid scope value "${bad}" (${rule.param ?? 'scope'} is ${sep}-separated)` };
}

/** Validates an authorization request and, all being well, redirects back with a fresh code (auto-consent). */
export function authorize(core: Core, ctx: Ctx, rules: AuthorizeRules): Reply {
  const q = ctx.req.query;
  const clientParam = rules.clientParam ?? 'client_id';
  if (ctx.req.repeated.length > 0) return rules.page(`parameters sent more than once: ${ctx.req.repeated.join(', ')}`, 'request');
  if (q[clientParam] === undefined) return rules.page(`missing ${clientParam}`, 'client');
  if (q[clientParam] !== core.options.clientId) return rules.page(`unknown ${clientParam} "${q[clientParam]}"`, 'client');
  const registered = core.options.redirectUris;
  const sent = q.redirect_uri;
  if (sent === undefined && rules.redirectUri === 'required') return rules.page('missing redirect_uri', 'redirect_uri');
  const target = sent ?? registered[0];
  if (target === undefined) return rules.page('no redirect_uri registered', 'redirect_uri');
  const state = q.state;
  if (sent !== undefined && !registered.some((r) => redirectMatches(sent, r, rules.redirectMatch))) {
    const mm = rules.mismatchToRegistered;
    if (mm && registered[0]) return redirect(withParams(registered[0], { error: mm.error, error_description: mm.description, ...rules.errorExtras?.(mm), state }));
    return rules.page(`redirect_uri "${sent}" does not match a registered redirect URI`, 'redirect_uri');
  }
  const fail = (e: AuthzError): Reply => rules.errorsAsPages
    ? rules.page(`${e.error}: ${e.description}`, 'request')
    : redirect(withParams(target, { error: e.error, error_description: e.description, ...rules.errorExtras?.(e), state }));

  if (rules.responseType === 'required' && q.response_type !== 'code') {
    return fail(q.response_type === undefined
      ? { error: 'invalid_request', description: 'missing response_type' }
      : { error: 'unsupported_response_type', description: `response_type "${q.response_type}" is not supported` });
  }
  const scopes: string[] = [];
  for (const rule of rules.scopes) {
    const parsed = parseScopes(q[rule.param ?? 'scope'], rule);
    if (!Array.isArray(parsed)) return fail(parsed);
    if (rule === rules.scopes[0]) scopes.push(...parsed);
  }
  const challenge = q.code_challenge;
  if (challenge === undefined && rules.pkce === 'required') return fail({ error: 'invalid_request', description: 'code_challenge is required' });
  const pkce = challengeProblem(challenge, q.code_challenge_method, rules.pkceMethods);
  if (pkce) return fail({ error: 'invalid_request', description: pkce });
  if (rules.stateRequired && !state) return fail({ error: 'invalid_request', description: 'state is required' });
  const extra = rules.check?.(q, ctx);
  if (extra) return fail(extra);
  const declined = core.faults.authorize;
  if (declined) return redirect(withParams(target, { error: declined.error, error_description: declined.description, state }));

  const grant = core.grants.issueCode({
    clientId: core.options.clientId, redirectUri: target, redirectUriSent: sent !== undefined, scopes,
    ...(challenge === undefined ? {} : { challenge: { value: challenge, method: q.code_challenge_method ?? 'plain' } }),
    userId: core.currentUserId(), tenant: ctx.tenant, query: q,
  });
  return redirect(withParams(target, { code: grant.code, state }));
}
