import type { ConnectionErrorCode } from '../../connections/error-codes.ts';
import type { EngineOptions } from '../../connections/engine-options.ts';

/**
 * The cause -> fix catalogue of a failed try: one place that turns a connection error code
 * (the broker's own catalogue) and the provider's error name into what happened and what to
 * change, in plain words. Rules are tried in order; the first that matches answers.
 */

/** Where in the login a try failed (the callback step that ended it, grouped). */
export type FailedStep = 'authorize at the provider' | 'callback' | 'token request' | 'script' | 'profile validation' | 'blocked user';

/** What a rule sees of a failure. */
export interface FixContext {
  code: ConnectionErrorCode;
  step: FailedStep;
  /** The provider's own error name, when it sent one. */
  providerError?: string;
  /** The broker's message (the provider's description included). */
  message: string;
  /** The redirect_uri this connection sends (the URL to register at the provider). */
  redirectUri: string;
  options: Pick<EngineOptions, 'token_endpoint_auth_method' | 'pkce_enabled' | 'scope'>;
}

/** A failure explained. */
export interface Fix {
  cause: string;
  fixes: string[];
  /** Shown as the exact URL to register, when that is the fix. */
  registerUrl?: string;
}

interface Rule {
  when(c: FixContext): boolean;
  fix(c: FixContext): Fix;
}

const named = (c: FixContext, ...names: string[]): boolean => names.includes(c.providerError ?? '');
const says = (c: FixContext, pattern: RegExp): boolean => pattern.test(c.message);
const scopeText = (c: FixContext): string => {
  const s = c.options.scope;
  return s === undefined ? '(none)' : Array.isArray(s) ? s.join(' ') : s;
};
const otherMethod = (m: string): string => (m === 'client_secret_basic' ? 'client_secret_post (in the body)' : 'client_secret_basic (HTTP Basic)');
const SCRIPT_CODES: ReadonlySet<ConnectionErrorCode> = new Set(['script_syntax', 'script_thrown', 'script_callback_error', 'script_no_callback']);
const lineOf = (c: FixContext): string => /\(line (\d+)\)/.exec(c.message)?.[1] ?? '';

const RULES: readonly Rule[] = [
  {
    when: (c) => named(c, 'redirect_uri_mismatch', 'bad_redirect_uri') || says(c, /AADSTS50011|redirect[_ ]uri.*(mismatch|does not match|not registered)/i),
    fix: (c) => ({
      cause: 'The provider does not know the callback URL this connection sends.',
      fixes: ['In the app registration at the provider, add exactly this URL as a redirect / callback URL (same scheme, host, port, path, no trailing slash):'],
      registerUrl: c.redirectUri,
    }),
  },
  {
    when: (c) => named(c, 'invalid_client', 'incorrect_client_credentials', 'bad_client_secret', 'invalid_client_id') || says(c, /answered 401\b/),
    fix: (c) => ({
      cause: 'The provider did not accept the client credentials at the token endpoint.',
      fixes: [
        'Check that Client ID and Client Secret are those of the app registered at the provider (a secret may have expired or been rotated).',
        `This connection sends them with token_endpoint_auth_method "${c.options.token_endpoint_auth_method}"; if the provider expects the other way, switch to ${otherMethod(c.options.token_endpoint_auth_method)}.`,
      ],
    }),
  },
  {
    when: (c) => named(c, 'consent_required', 'admin_consent_required') || says(c, /AADSTS(65001|90094|90099)|admin (consent|approval)|need admin/i),
    fix: () => ({
      cause: 'An administrator of the provider (its tenant or workspace) must approve this app before users can sign in.',
      fixes: [
        'Ask an administrator of the provider to grant consent to the app (Microsoft Entra: Enterprise applications → the app → Permissions → Grant admin consent).',
        'Or ask for fewer scopes: the ones that need admin approval are listed at the provider.',
      ],
    }),
  },
  {
    when: (c) => named(c, 'invalid_scope', 'insufficient_scope') || says(c, /invalid_scope|insufficient_scope/),
    fix: (c) => ({
      cause: 'The provider refused a scope this connection asks for, or the app is not allowed to ask for it.',
      fixes: [
        `Scopes sent: ${scopeText(c)}. Remove or correct the one the provider names (some providers separate scopes with commas: see "Separate scopes using a space").`,
        'Check that the app registration at the provider is allowed those scopes (permissions / API access).',
      ],
    }),
  },
  {
    when: (c) => says(c, /code_challenge|code_verifier|pkce|proof key/i),
    fix: (c) => ({
      cause: c.options.pkce_enabled ? 'The provider rejected this connection\'s PKCE values.' : 'The provider requires PKCE and this connection does not send it.',
      fixes: c.options.pkce_enabled
        ? ['Check which challenge method the provider supports (this connection sends S256), and that the sign-in was not started twice.']
        : ['Turn on PKCE for this connection: set pkce_enabled to true (it sends an S256 code_challenge and the code_verifier).'],
    }),
  },
  {
    when: (c) => c.code === 'script_syntax',
    fix: (c) => ({ cause: `fetchUserProfile does not compile${lineOf(c) ? ` (line ${lineOf(c)})` : ''}.`, fixes: ['Fix the syntax error at that line; the script must be a function expression: function (accessToken, ctx, cb) { ... }.'] }),
  },
  {
    when: (c) => SCRIPT_CODES.has(c.code),
    fix: (c) => ({
      cause: `fetchUserProfile failed${lineOf(c) ? ` at line ${lineOf(c)}` : ''}.`,
      fixes: ['Read the script\'s error and console output below; the requests it made show each status.', 'Use "Run script" to try a changed script with a pasted access token, without a full sign-in.'],
    }),
  },
  {
    when: (c) => c.code === 'script_egress_denied',
    fix: () => ({ cause: 'fetchUserProfile called an address the egress policy forbids.', fixes: ['Call the provider\'s public API host, or allow an internal host with EGRESS_ALLOW.'] }),
  },
  {
    when: (c) => c.code === 'script_timeout' || c.code === 'script_request_limit' || c.code === 'script_memory',
    fix: () => ({ cause: 'fetchUserProfile went past a sandbox limit.', fixes: ['Make fewer or smaller requests, or raise SCRIPT_TIMEOUT_MS / SCRIPT_MAX_REQUESTS / SCRIPT_MEMORY_MB.'] }),
  },
  {
    when: (c) => c.step === 'profile validation',
    fix: () => ({
      cause: 'The profile fetchUserProfile returned cannot become a user.',
      fixes: ['Return an object with a user_id (a non-empty string or a number) and standard attributes of the right type (email a string, email_verified a boolean, ...).'],
    }),
  },
  {
    when: (c) => c.code === 'user_blocked',
    fix: () => ({
      cause: 'The user this identity belongs to is blocked, so a real sign-in would end with access_denied.',
      fixes: ['Unblock the user (PATCH /api/v2/users/<user_id> with {"blocked": false}) if they should sign in again.'],
    }),
  },
  {
    when: (c) => named(c, 'access_denied'),
    fix: () => ({ cause: 'The sign-in was declined at the provider.', fixes: ['Try again and allow access; if you did, the provider may refuse this account for this app.'] }),
  },
  {
    when: (c) => c.code.startsWith('token_') && c.code !== 'token_error',
    fix: () => ({ cause: 'The token request got no usable answer.', fixes: ['Check tokenURL (and that the provider is reachable from this server); the trace shows what was sent and answered.'] }),
  },
];

/** The explanation of a failed try; a failure no rule knows gets the broker's own message as its cause. */
export function fixFor(c: FixContext): Fix {
  const rule = RULES.find((r) => r.when(c));
  return rule ? rule.fix(c) : { cause: c.message, fixes: ['See the provider\'s documentation for this error; the trace below shows what was sent.'] };
}
