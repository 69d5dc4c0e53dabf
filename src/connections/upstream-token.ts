import { traceUrl } from '../lib/trace-url.ts';
import type { TokenTrace } from './dry-run.ts';
import { egressFetch, EgressError, isDenied, USER_AGENT, type EgressPolicy } from '../lib/egress.ts';
import { ConnectionError } from './errors.ts';
import type { EngineOptions } from './engine-options.ts';
import { tokenFailure } from './token-errors.ts';
import { extractTokens, parseTokenBody, type UpstreamTokens } from './token-response.ts';

/** What the token request asks for: a code exchange or a refresh. */
export type TokenGrant =
  | { grant_type: 'authorization_code'; code: string; redirect_uri: string; code_verifier?: string }
  | { grant_type: 'refresh_token'; refresh_token: string };

export interface TokenCall {
  /** Connection name, for messages. */
  connection: string;
  options: EngineOptions;
  /** The rendered URL to call (tokenURL or refreshURL after templates). */
  url: string;
  grant: TokenGrant;
  /** Our callback URL, for messages (redirect_uri_mismatch). */
  redirectUri: string;
  egress: EgressPolicy;
  /** A try's recorder of what was sent and answered (names only); absent for logins and refreshes. */
  trace?: (t: TokenTrace) => void;
}

const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** The one token request of the engine: every provider quirk is an option here, not a branch elsewhere. */
export async function requestTokens(call: TokenCall): Promise<UpstreamTokens> {
  const { options, connection } = call;
  const names = options.token_request_param_names;
  const method = options.token_endpoint_auth_method;
  const params: Record<string, string> = {};
  const put = (key: keyof typeof names, value: string | undefined) => {
    if (value !== undefined) params[names[key]] = value;
  };
  for (const [k, v] of Object.entries(call.grant)) put(k as keyof typeof names, v);
  put('client_id', options.client_id);
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': USER_AGENT };
  if (method !== 'none') {
    if (!options.client_secret) {
      throw new ConnectionError('no_client_secret', `connection "${connection}": no client_secret is set; set one, or token_endpoint_auth_method "none" for a public client`);
    }
    if (method === 'client_secret_basic') headers['authorization'] = basic(options.client_id, options.client_secret);
    else put('client_secret', options.client_secret);
  }
  Object.assign(params, options.token_request_extra_params);
  for (const [name, value] of Object.entries(options.customHeaders)) headers[name.toLowerCase()] = value;

  let url = call.url;
  let body: string | undefined;
  if (options.token_request_method === 'GET') {
    const u = new URL(url);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    url = u.toString();
  } else if (options.token_request_format === 'json') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(params);
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(params).toString();
  }

  const started = performance.now();
  const sent = { method: options.token_request_method, url: traceUrl(url), headerNames: Object.keys(headers), paramNames: Object.keys(params) };
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  let res;
  try {
    res = await egressFetch({ method: options.token_request_method, url, headers, ...(body !== undefined ? { body } : {}) }, call.egress);
  } catch (err) {
    call.trace?.({ ...sent, error: err instanceof EgressError ? err.code : 'failed', ms: ms() });
    if (err instanceof EgressError) {
      const why = isDenied(err) ? `${err.message} (the egress policy forbids it)` : err.message;
      throw new ConnectionError(`token_${err.code}`, `connection "${connection}": token request failed: ${why}`);
    }
    throw err;
  }
  const parsed = parseTokenBody(res.body);
  call.trace?.({ ...sent, status: res.status, contentType: String(res.headers['content-type'] ?? ''), keys: parsed ? Object.keys(parsed) : [], ms: ms() });
  // Some providers answer errors with 200 (GitHub `error=...`, Slack `{ok:false}`).
  if (res.status !== 200 && res.status !== 201 || !parsed || parsed['error'] !== undefined || parsed['ok'] === false) {
    throw tokenFailure(connection, res.status, parsed, call.redirectUri, call.grant.grant_type, res.headers['content-type']);
  }
  return extractTokens(connection, options, parsed);
}
