import { ConnectionError } from './errors.ts';
import type { OAuth2Options } from './options.ts';

/** Tokens found in an upstream token response. `raw` is the whole parsed answer (the script's `context`). */
export interface UpstreamTokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  expiresIn?: number;
  tokenType?: string;
  scope?: string;
  raw: Record<string, unknown>;
}

/**
 * Parses a token endpoint body tolerantly: JSON (whatever the content type says), else
 * form-encoded (GitHub without `Accept: application/json`). Undefined when it is neither.
 */
export function parseTokenBody(body: Buffer): Record<string, unknown> | undefined {
  const text = body.toString('utf8').trim();
  if (!text) return undefined;
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  if (/^[\w.~%+-]+=[^\s]*(&[\w.~%+-]+=[^\s]*)*$/.test(text)) return Object.fromEntries(new URLSearchParams(text));
  return undefined;
}

/** Reads a dot path (`data.access_token`) from a parsed body. */
export function readPath(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Key paths present in a body (two levels deep), to tell an admin where things are, never values. */
export function describeKeys(obj: Record<string, unknown>): string {
  const keys: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) keys.push(...Object.keys(v).slice(0, 20).map((n) => `${k}.${n}`));
    else keys.push(k);
  }
  return keys.slice(0, 40).join(', ') || '(none)';
}

const ERROR_TEXT_KEYS = ['error_description', 'description', 'error_msg', 'message', 'error'];

/** A provider's own error wording inside an answer (top two levels), for messages; undefined when none. */
export function providerErrorText(obj: Record<string, unknown>): string | undefined {
  const levels = [obj, ...Object.values(obj).filter((v): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v))];
  // The most descriptive key wins wherever it sits (TikTok: top-level message "error", data.description the reason).
  for (const key of ERROR_TEXT_KEYS) {
    for (const level of levels) {
      const v = level[key];
      if (typeof v === 'string' && v && !/^(ok|success)$/i.test(v)) return v.slice(0, 300);
    }
  }
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined);

/** Extracts the tokens at the configured (or standard) paths. */
export function extractTokens(connection: string, options: OAuth2Options, raw: Record<string, unknown>): UpstreamTokens {
  const paths = options.token_response_paths ?? {};
  const at = (key: keyof NonNullable<OAuth2Options['token_response_paths']>) => readPath(raw, paths[key] ?? key);
  const accessToken = str(at('access_token'));
  if (!accessToken) {
    const said = providerErrorText(raw);
    throw new ConnectionError('no_access_token',
      `connection "${connection}": the token response has no access token at "${paths.access_token ?? 'access_token'}"; ` +
      `keys present: ${describeKeys(raw)}${said ? `; the provider said: "${said}"` : ''}. ` +
      `Set options.token_response_paths.access_token to the right path, or fix what the provider reports`);
  }
  const expires = Number(at('expires_in'));
  const refreshToken = str(at('refresh_token'));
  const idToken = str(at('id_token'));
  const tokenType = str(at('token_type'));
  const scope = str(at('scope'));
  return {
    accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    ...(idToken ? { idToken } : {}),
    ...(Number.isFinite(expires) && expires > 0 ? { expiresIn: expires } : {}),
    ...(tokenType ? { tokenType } : {}),
    ...(scope ? { scope } : {}),
    raw,
  };
}
