/**
 * GitHub OAuth app (docs.github.com "Authorizing OAuth apps", "Troubleshooting ... errors", REST "Users").
 * Real hosts are github.com (OAuth) and api.github.com (REST); here one server serves both paths.
 * Assumptions where the docs are silent: the token endpoint also accepts HTTP Basic client credentials;
 * the authorize `scope` is strictly space-delimited and every value must be a documented scope (real
 * GitHub has tolerated commas historically — we follow the documented format so a wrong join is caught);
 * a PKCE failure answers bad_verification_code; /user/emails without user or user:email scope is a 404.
 */
import { authorize, caller, form, html, json, reply, startUpstream, token } from './base/index.ts';
import type { CommonOptions, Ctx, Reason, RecordedRequest, Reply, TokenGrant, TokenProblem, Upstream } from './base/index.ts';

export interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
  visibility: 'public' | 'private' | null;
}

export interface GitHubOptions extends CommonOptions {
  /** OAuth apps are always confidential. */
  clientSecret: string;
  /** GitHub App user tokens: expire in 8 h and come with a rotating refresh token. */
  expiringTokens?: boolean;
  /** Answer of /user/emails (default: one primary verified address; /user's public email stays null). */
  emails?: GitHubEmail[];
}

export const GITHUB_SCOPES = [
  'repo', 'repo:status', 'repo_deployment', 'public_repo', 'repo:invite', 'security_events', 'admin:repo_hook',
  'write:repo_hook', 'read:repo_hook', 'admin:org', 'write:org', 'read:org', 'admin:public_key', 'write:public_key',
  'read:public_key', 'admin:org_hook', 'gist', 'notifications', 'user', 'read:user', 'user:email', 'user:follow',
  'project', 'read:project', 'delete_repo', 'write:packages', 'read:packages', 'delete:packages', 'admin:gpg_key',
  'write:gpg_key', 'read:gpg_key', 'codespace', 'workflow', 'admin:enterprise', 'read:audit_log', 'copilot',
];

const DOCS = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/';
const ERRORS: Partial<Record<Reason, [string, string]>> = {
  unknown_client: ['incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.'],
  redirect_mismatch: ['redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.'],
  grant_type: ['unsupported_grant_type', 'The grant type is not supported.'],
  bad_refresh: ['bad_refresh_token', 'The refresh token passed is incorrect or expired.'],
};
const BAD_CODE: [string, string] = ['bad_verification_code', 'The code passed is incorrect or expired.'];

function githubError(p: TokenProblem): [string, string] {
  if (['bad_code', 'code_reused', 'code_expired', 'pkce'].includes(p.reason)) return BAD_CODE;
  if (p.reason === 'invalid_request') return p.detail.includes('code') ? BAD_CODE : ERRORS.unknown_client ?? BAD_CODE;
  if (p.reason === 'bad_secret' || p.reason === 'auth_method') return ERRORS.unknown_client ?? BAD_CODE;
  return ERRORS[p.reason] ?? ['invalid_request', p.detail];
}

/** GitHub answers form-encoded unless asked for JSON or XML — errors included, always with HTTP 200. */
function negotiate(req: RecordedRequest, values: Record<string, string | number>): Reply {
  const accept = req.headers.accept ?? '';
  if (accept.includes('application/json')) return json(200, values);
  const strings = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
  if (accept.includes('application/xml')) {
    const body = Object.entries(strings).map(([k, v]) => `<${k}>${v.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</${k}>`).join('');
    return reply(200, `<OAuth>${body}</OAuth>`, 'application/xml; charset=utf-8');
  }
  return form(200, strings);
}

const apiError = (status: number, message: string): Reply =>
  json(status, { message, documentation_url: 'https://docs.github.com/rest', status: String(status) });

/** Starts GitHub: GET /login/oauth/authorize, POST /login/oauth/access_token, GET /user, GET /user/emails. */
export async function startGitHub(options: GitHubOptions): Promise<Upstream> {
  const expiring = options.expiringTokens ?? false;
  const success = (t: TokenGrant, ctx: Ctx): Reply => negotiate(ctx.req, {
    access_token: t.accessToken,
    ...(expiring && t.refreshToken ? { expires_in: t.expiresIn, refresh_token: t.refreshToken, refresh_token_expires_in: 15_897_600 } : {}),
    scope: expiring ? '' : t.scopes.join(','), token_type: 'bearer', // GitHub App tokens carry no scopes
  });
  const error = (p: TokenProblem, ctx: Ctx): Reply => {
    const [code, description] = githubError(p);
    return negotiate(ctx.req, { error: code, error_description: description, error_uri: `${DOCS}#${code.replace(/_/g, '-')}` });
  };
  return startUpstream({
    options, idField: 'id', codeTtlMs: 600_000, accessTtlSeconds: expiring ? 28_800 : 365 * 86_400,
    prefixes: { code: '', access: expiring ? 'ghu_' : 'gho_', refresh: 'ghr_' },
    defaultUser: {
      login: 'octocat', id: 583231, node_id: 'MDQ6VXNlcjU4MzIzMQ==', avatar_url: 'https://avatars.githubusercontent.com/u/583231?v=4',
      html_url: 'https://github.com/octocat', type: 'User', site_admin: false, name: 'The Octocat', company: '@github',
      blog: 'https://github.blog', location: 'San Francisco', email: null, bio: null, public_repos: 8, followers: 20,
      following: 0, created_at: '2011-01-25T18:44:36Z', updated_at: '2024-01-01T00:00:00Z',
    },
    routes: (core) => {
      /** Every REST call must carry a User-Agent; then `Authorization: token|Bearer <t>` (no query token). */
      const rest = (ctx: Ctx, then: (t: TokenGrant, user: Record<string, unknown>) => Reply): Reply => {
        if (!ctx.req.headers['user-agent']) {
          return reply(403, 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n', 'text/plain; charset=utf-8');
        }
        const who = caller(core, ctx, ['bearer', 'token']);
        if (who === 'missing') return apiError(401, 'Requires authentication');
        if (who === 'invalid') return apiError(401, 'Bad credentials');
        const r = then(who.token, who.user);
        return { ...r, headers: { ...r.headers, 'x-oauth-scopes': who.token.scopes.join(', '), 'x-accepted-oauth-scopes': '' } };
      };
      return [
        {
          method: 'GET', path: '/login/oauth/authorize', role: 'authorize',
          handle: (ctx) => authorize(core, ctx, {
            responseType: 'ignored', redirectUri: 'optional', redirectMatch: 'subpath',
            scopes: [{ separator: ' ', required: false, valid: (s) => GITHUB_SCOPES.includes(s) }],
            pkce: 'optional', pkceMethods: ['S256'],
            page: (m) => html(404, `Not Found — ${m}`),
            mismatchToRegistered: { error: 'redirect_uri_mismatch', description: 'The redirect_uri MUST match the registered callback URL for this application.' },
            errorExtras: (e) => ({ error_uri: `https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#${e.error.replace(/_/g, '-')}` }),
          }),
        },
        {
          method: 'POST', path: '/login/oauth/access_token', role: 'token',
          handle: (ctx) => token(core, ctx, {
            bodyTypes: ['form', 'json'], clientAuth: ['basic', 'post'], grantTypeRequired: false, redirectUri: 'lenient',
            refresh: expiring ? 'rotate' : 'none', issueRefresh: () => expiring, success, error,
          }),
        },
        { method: 'GET', path: '/user', role: 'profile', handle: (ctx) => rest(ctx, (_t, user) => json(200, user)) },
        {
          method: 'GET', path: '/user/emails', role: 'profile',
          handle: (ctx) => rest(ctx, (t, user) => {
            if (!expiring && !t.scopes.some((s) => s === 'user' || s === 'user:email')) return apiError(404, 'Not Found');
            const fallback: GitHubEmail[] = [{ email: `${String(user.login)}@users.example.com`, primary: true, verified: true, visibility: null }];
            return json(200, options.emails ?? (typeof user.email === 'string' ? [{ email: user.email, primary: true, verified: true, visibility: 'public' }] : fallback));
          }),
        },
      ];
    },
    extend: () => ({}),
  });
}
