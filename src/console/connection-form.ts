import { badRequest } from '../errors/app-error.ts';
import { isRecord } from '../lib/is-record.ts';

/** A submitted form: urlencoded fields as strings (a repeated field keeps its last value). */
export type FormBody = Record<string, unknown>;

/** Text fields copied into options as they are; an empty one is left out (edit: removed). */
const TEXT_OPTIONS = ['authorizationURL', 'tokenURL', 'scope', 'client_id', 'icon_url', 'issuer', 'refreshURL'] as const;
/** Checkboxes: present means true. */
const FLAG_OPTIONS = ['useOauthSpecScope', 'pkce_enabled', 'unique_callback'] as const;
/** Selects; the empty choice means the engine's default. */
const CHOICE_OPTIONS = ['token_endpoint_auth_method', 'token_request_format', 'token_request_method', 'set_user_root_attributes'] as const;
/** Textareas holding a JSON object (Custom Headers and the quirks under "Advanced"). */
export const JSON_OPTIONS = ['customHeaders', 'authParams', 'authParamsMap', 'token_request_extra_params', 'token_response_paths', 'token_request_param_names', 'template_vars'] as const;

/** Every option key the form edits; stored keys outside this list are kept on edit. */
const FORM_KEYS = new Set<string>([...TEXT_OPTIONS, ...FLAG_OPTIONS, ...CHOICE_OPTIONS, ...JSON_OPTIONS, 'client_secret', 'scripts']);

const text = (form: FormBody, key: string): string => {
  const value = form[key];
  const last = Array.isArray(value) ? value.at(-1) : value;
  return typeof last === 'string' ? last.trim() : '';
};

function parseJsonField(form: FormBody, key: string): Record<string, unknown> | undefined {
  const raw = text(form, key);
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw badRequest(`Payload validation error: options.${key}: not valid JSON (${(err as Error).message}); write an object such as {"Name": "value"}`);
  }
  if (!isRecord(parsed)) throw badRequest(`Payload validation error: options.${key}: expected a JSON object such as {"Name": "value"}`);
  return parsed;
}

/**
 * The options a connection form describes, in the Management API's shape. `kept` are the
 * stored options (public form) on edit: keys the form does not show are carried over, and
 * an empty Client Secret keeps the stored one (the service's rule for an omitted secret).
 */
export function optionsFromForm(form: FormBody, kept: Record<string, unknown> = {}): Record<string, unknown> {
  const options: Record<string, unknown> = Object.fromEntries(Object.entries(kept).filter(([k]) => !FORM_KEYS.has(k)));
  for (const key of TEXT_OPTIONS) if (text(form, key)) options[key] = text(form, key);
  for (const key of FLAG_OPTIONS) if (text(form, key)) options[key] = true;
  for (const key of CHOICE_OPTIONS) if (text(form, key)) options[key] = text(form, key);
  for (const key of JSON_OPTIONS) {
    const value = parseJsonField(form, key);
    if (value) options[key] = value;
  }
  const secret = text(form, 'client_secret');
  if (secret) options['client_secret'] = secret;
  // The script keeps its exact text (indentation, trailing newline): the line numbers of errors refer to it.
  const script = typeof form['fetchUserProfile'] === 'string' ? form['fetchUserProfile'].replace(/\r\n/g, '\n') : '';
  options['scripts'] = { ...(isRecord(kept['scripts']) ? kept['scripts'] : {}), fetchUserProfile: script };
  return options;
}

/** The body of POST /connections a "new connection" form describes. */
export function createBodyFromForm(form: FormBody): Record<string, unknown> {
  const displayName = text(form, 'display_name');
  return { name: text(form, 'name'), strategy: 'oauth2', ...(displayName ? { display_name: displayName } : {}), options: optionsFromForm(form) };
}

/** The body of PATCH /connections/:id an edit form describes (an empty display name removes it). */
export function updateBodyFromForm(form: FormBody, kept: Record<string, unknown>): Record<string, unknown> {
  const displayName = text(form, 'display_name');
  return { display_name: displayName || null, options: optionsFromForm(form, kept) };
}

/** What the form shows for stored (public) options: JSON fields pretty-printed, everything else as is. */
export function formValues(options: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    if ((JSON_OPTIONS as readonly string[]).includes(key)) out[key] = JSON.stringify(value, null, 2);
    else if (Array.isArray(value)) out[key] = value.join(' ');
    else if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') out[key] = String(value);
  }
  const scripts = options['scripts'];
  if (isRecord(scripts) && typeof scripts['fetchUserProfile'] === 'string') out['fetchUserProfile'] = scripts['fetchUserProfile'];
  return out;
}
