import { z } from 'zod';
import { MANAGED_HEADERS } from '../lib/egress.ts';
import { allowsHost, compileAllowList, type EgressReach } from '../lib/egress-allow.ts';
import { templateProblem, templateSamples, templateVariables } from './template.ts';
import { templatePatternProblem } from './template-pattern.ts';

/**
 * Options of a `strategy: "oauth2"` connection: Auth0's documented fields with Auth0's
 * limits, plus this server's options for providers that bend the standard (all optional,
 * defaults are plain RFC 6749). Unknown keys are kept, as Auth0 keeps them.
 */

export const SCRIPT_MAX_CHARS = 51_200;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PARAM_NAME = /^[A-Za-z0-9_.\-[\]]{1,100}$/;
const NO_CRLF = /^[^\r\n]*$/;
const HOST_SUFFIX = /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
/** A value allowed in a URL template: hostname-label characters by default. */
export const DEFAULT_TEMPLATE_VALUE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** ALLOW_INSECURE_UPSTREAMS (development: http:// and loopback hosts allowed) and EGRESS_ALLOW (internal hosts named by the deployment). */
export type UrlPolicy = EgressReach;

/** Hosts that name this machine or a private network: refused unless the development setting allows them. */
const INTERNAL_HOST = /^(localhost|.*\.localhost|127(?:\.\d{1,3}){3}|10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2}|169\.254(?:\.\d{1,3}){2}|0\.0\.0\.0|\[[0-9a-f:.]*\])$/i;

/** Checks one concrete upstream URL against the policy; undefined when it is fine. */
export function upstreamUrlProblem(raw: string, policy: UrlPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol === 'http:' && !policy.allowInsecure) return 'must use https (http is allowed only with the development setting ALLOW_INSECURE_UPSTREAMS=true)';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
  if (!policy.allowInsecure && INTERNAL_HOST.test(url.hostname) && !allowsHost(compileAllowList(policy.allow), url.hostname)) {
    return 'must not point at a loopback or private address (list the host or its range in EGRESS_ALLOW, or use the development setting ALLOW_INSECURE_UPSTREAMS=true)';
  }
  return undefined;
}

/** Checks a URL template: its syntax, and every text it can render to (placeholders filled by `fill`). */
function urlProblem(raw: string, policy: UrlPolicy, fill: (name: string) => string = () => 'x'): string | undefined {
  const template = templateProblem(raw);
  if (template) return template;
  for (const sample of templateSamples(raw, fill)) {
    const problem = upstreamUrlProblem(sample, policy);
    if (problem) return sample === raw ? problem : `${problem} (as rendered: ${sample})`;
  }
  return undefined;
}

const upstreamUrl = (policy: UrlPolicy) =>
  z.string().min(1).max(2048).superRefine((v, ctx) => {
    const problem = urlProblem(v, policy);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const boundedRecord = <V extends z.ZodType>(value: V, max: number, keyPattern: RegExp, keyWhat: string) =>
  z.record(z.string().regex(keyPattern, { message: `invalid ${keyWhat} name` }), value)
    .refine((r) => Object.keys(r).length <= max, { message: `at most ${max} entries` });

const scriptSource = z.string().min(1, { message: 'must not be empty (leave the script out to have none)' })
  .max(SCRIPT_MAX_CHARS, { message: `at most ${SCRIPT_MAX_CHARS} characters` });

const scalar = z.union([z.string().max(2048), z.number(), z.boolean()]).transform(String);
const dotPath = z.string().regex(/^[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*$/, { message: 'expected a dot path such as data.access_token' });

/** Where the token response keeps each value (dot paths); each defaults to its standard name. */
export const TokenPathsSchema = z.strictObject({
  /** Path of the access token. Default: `access_token`. */
  access_token: dotPath.optional(),
  /** Path of the refresh token. Default: `refresh_token`. */
  refresh_token: dotPath.optional(),
  /** Path of the lifetime in seconds. Default: `expires_in`. */
  expires_in: dotPath.optional(),
  /** Path of the ID token. Default: `id_token`. */
  id_token: dotPath.optional(),
  /** Path of the token type. Default: `token_type`. */
  token_type: dotPath.optional(),
  /** Path of the granted scope. Default: `scope`. */
  scope: dotPath.optional(),
});

/** Renamed token-request keys (e.g. TikTok's `client_key`); each defaults to its standard name. */
export const ParamNamesSchema = z.strictObject({
  /** Name of `client_id`. Default: `client_id`. */
  client_id: z.string().regex(PARAM_NAME).optional(),
  /** Name of `client_secret`. Default: `client_secret`. */
  client_secret: z.string().regex(PARAM_NAME).optional(),
  /** Name of `code`. Default: `code`. */
  code: z.string().regex(PARAM_NAME).optional(),
  /** Name of `redirect_uri`. Default: `redirect_uri`. */
  redirect_uri: z.string().regex(PARAM_NAME).optional(),
  /** Name of `grant_type`. Default: `grant_type`. */
  grant_type: z.string().regex(PARAM_NAME).optional(),
  /** Name of `code_verifier`. Default: `code_verifier`. */
  code_verifier: z.string().regex(PARAM_NAME).optional(),
  /** Name of `refresh_token`. Default: `refresh_token`. */
  refresh_token: z.string().regex(PARAM_NAME).optional(),
});

/** An /authorize parameter allowed to fill a URL template placeholder, and what it may contain. */
const TemplateParamSchema = z.strictObject({
  /** The app's /authorize parameter to read (e.g. `shop`). */
  from: z.string().regex(PARAM_NAME),
  /** Regular expression (RE2 syntax, linear time) the whole value must match; default: one hostname label. */
  pattern: z.string().max(200).optional().superRefine((p, ctx) => {
    const problem = p === undefined ? undefined : templatePatternProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  /** Where the value fills a host, it may be several labels ending in this suffix (e.g. `.myshopify.com`). Default: one label. */
  host_suffix: z.string().max(200).regex(HOST_SUFFIX, { message: 'must be a host name suffix such as .myshopify.com' }).optional(),
});

/** Builds the options schema for a URL policy. */
export function oauth2OptionsSchema(policy: UrlPolicy) {
  const url = upstreamUrl(policy);
  return z.looseObject({
    // ---- Auth0's fields
    /** The provider's authorization endpoint (a URL template). Required. */
    authorizationURL: url,
    /** The provider's token endpoint (a URL template). Required. */
    tokenURL: url,
    /** Scope sent upstream, a string or a list joined with spaces. Default: none (no scope parameter). */
    scope: z.union([z.string().max(2000), z.array(z.string().min(1).max(200)).max(100)]).optional(),
    /** Join configured and `connection_scope` scopes with a space instead of a comma. Default: false. */
    useOauthSpecScope: z.boolean().optional(),
    /** The client id registered at the provider. Required. */
    client_id: z.string().min(1).max(1024),
    /** The client secret (sealed at rest, never returned). Default: none; required unless token_endpoint_auth_method is "none". */
    client_secret: z.string().min(1).max(4096).optional(),
    /**
     * Admin scripts, each compiled in the sandbox when saved. Default: none; optional as in
     * Auth0, but a login needs `fetchUserProfile` (without it the login is refused before
     * leaving for the provider).
     */
    scripts: z.looseObject({
      /** `function (accessToken, ctx, cb)`, run in the sandbox after the exchange. Default: none. */
      fetchUserProfile: scriptSource.optional(),
      /** Auth0's `function (query, callback)` for federated logout: stored and compiled, not run (logout is not federated here). Default: none. */
      getLogoutUrl: scriptSource.optional(),
    }).optional(),
    /** Static extra parameters of the upstream authorization request. Default: none. */
    authParams: boundedRecord(scalar, 30, PARAM_NAME, 'parameter').optional(),
    /** Upstream authorization parameter ← the app's /authorize parameter of that name, when sent. Default: none. */
    authParamsMap: boundedRecord(z.string().regex(PARAM_NAME, { message: 'invalid parameter name' }), 21, PARAM_NAME, 'parameter').optional(),
    /** Extra headers of the token request (values sealed at rest, masked by the API). Default: none. */
    customHeaders: boundedRecord(z.string().max(4096).regex(NO_CRLF, { message: 'must not contain CR or LF' }), 30, HEADER_NAME, 'header')
      .refine((h) => !Object.keys(h).some((name) => MANAGED_HEADERS.has(name.toLowerCase())), {
        message: `must not set ${[...MANAGED_HEADERS].join(', ')} (the HTTP client sets them)`,
      }).optional(),
    /** The login button's icon: an https URL or a data:image URL. Default: none (the initial is shown). */
    icon_url: z.string().max(16_384).refine((v) => (/^https:\/\//.test(v) && v.length <= 2048) || (policy.allowInsecure && /^http:\/\//.test(v))
      || /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/.test(v), {
      message: 'must be an https URL (≤ 2048 characters) or a data:image/...;base64 URL (≤ 16 KB)',
    }).optional(),
    /** Send a PKCE challenge (S256). Default: false; always on when token_endpoint_auth_method is "none". */
    pkce_enabled: z.boolean().optional(),
    /** When the profile updates the user's root attributes. Default: `on_each_login`. */
    set_user_root_attributes: z.enum(['on_each_login', 'on_first_login']).optional(),

    // ---- provider quirks (this server's additions)
    /** How the client authenticates at the token endpoint; `none`: public client, PKCE is then used. Default: `client_secret_post`. */
    token_endpoint_auth_method: z.enum(['client_secret_post', 'client_secret_basic', 'none']).optional(),
    /** Body format of a POST token request. Default: `form`. */
    token_request_format: z.enum(['form', 'json']).optional(),
    /** HTTP method of the token request (GET sends the parameters in the query). Default: `POST`. */
    token_request_method: z.enum(['POST', 'GET']).optional(),
    /** Renamed token-request keys. Default: the standard names. */
    token_request_param_names: ParamNamesSchema.optional(),
    /** Static extra parameters of every token request. Default: none. */
    token_request_extra_params: boundedRecord(scalar, 30, PARAM_NAME, 'parameter').optional(),
    /** Where the token response keeps each value. Default: the standard names at the top level. */
    token_response_paths: TokenPathsSchema.optional(),
    /** Renamed /authorize keys sent upstream (e.g. `{ "client_id": "client_key" }`). Default: none. */
    authorize_param_names: z.strictObject({ client_id: z.string().regex(PARAM_NAME).optional() }).optional(),
    /** Give this connection its own callback address, <ISSUER>login/callback/<name> (mix-up attack defence). Default: false. */
    unique_callback: z.boolean().optional(),
    /** The provider's issuer identifier: an `iss` on the callback must equal it (RFC 9207). Default: none (no check). */
    issuer: z.string().max(2048).optional(),
    /** Where refresh-token requests go. Default: tokenURL. */
    refreshURL: url.optional(),
    /** Values for URL template placeholders (e.g. `{ "subdomain": "acme" }`). Default: none. */
    template_vars: boundedRecord(z.string().max(200).regex(NO_CRLF), 20, /^[A-Za-z_][A-Za-z0-9_]{0,49}$/, 'variable').optional(),
    /** Placeholders an app may fill through its /authorize request (e.g. `{ "shop": { "from": "shop" } }`). Default: none. */
    template_params: boundedRecord(TemplateParamSchema, 10, /^[A-Za-z_][A-Za-z0-9_]{0,49}$/, 'variable').optional(),
  }).superRefine((o, ctx) => {
    const known = new Set([...Object.keys(o.template_vars ?? {}), ...Object.keys(o.template_params ?? {})]);
    for (const key of ['authorizationURL', 'tokenURL', 'refreshURL'] as const) {
      const value = o[key];
      if (!value) continue;
      const missing = templateVariables(value).filter((v) => !known.has(v));
      if (missing.length) {
        ctx.addIssue({ code: 'custom', path: [key], message: `uses ${missing.map((m) => `{{${m}}}`).join(', ')} but neither template_vars nor template_params define it` });
        continue;
      }
      // With the admin's own values filled in, no branch may name a forbidden host.
      const vars = o.template_vars ?? {};
      const problem = Object.keys(vars).length ? urlProblem(value, policy, (name) => vars[name] ?? 'x') : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: `with template_vars: ${problem}` });
    }
  });
}

export type OAuth2Options = z.infer<ReturnType<typeof oauth2OptionsSchema>>;
