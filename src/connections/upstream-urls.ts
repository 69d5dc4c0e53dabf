import { ConnectionError } from './errors.ts';
import type { EngineOptions } from './engine-options.ts';
import { DEFAULT_TEMPLATE_VALUE, upstreamUrlProblem, type OAuth2Options, type UrlPolicy } from './options.ts';
import { renderTemplateParts, type RenderedPart } from './template.ts';
import { checkRenderedOrigin, type HostParams } from './template-host.ts';
import { matchesTemplatePattern, MAX_TEMPLATE_VALUE_CHARS } from './template-pattern.ts';

/**
 * Every upstream address the engine builds: our callback address (shared or per connection)
 * and the provider's URLs rendered from their templates. The login routes mount the same
 * callback paths, so the address sent upstream and the route that answers it cannot drift.
 */

/** The path of the shared callback; a connection with `unique_callback` answers on CALLBACK_PATH/<name>. */
export const CALLBACK_PATH = '/login/callback';

/** The express paths the callback is mounted on (shared, then per connection). */
export const CALLBACK_ROUTES = [CALLBACK_PATH, `${CALLBACK_PATH}/:connection`] as const;

/** The shared callback address every connection uses unless it has its own (`unique_callback`). */
export const sharedCallbackUrl = (issuer: string): string => `${issuer}${CALLBACK_PATH.slice(1)}`;

/** The redirect_uri of one connection. Its own address makes it immune to mix-up attacks (see README). */
export function callbackUrl(issuer: string, connection: string, options: Pick<OAuth2Options, 'unique_callback'>): string {
  const shared = sharedCallbackUrl(issuer);
  return options.unique_callback ? `${shared}/${encodeURIComponent(connection)}` : shared;
}

/**
 * Values for URL templates: the connection's `template_vars`, plus `template_params` taken
 * from the app's /authorize request. Every value must match its pattern (one hostname label
 * by default, matched by RE2 in linear time) and be at most MAX_TEMPLATE_VALUE_CHARS long;
 * where a value lands in a host, renderUrl holds it to one label whatever the pattern says.
 */
export function templateValues(connection: string, options: Pick<EngineOptions, 'template_vars' | 'template_params'>, appParams: Record<string, string>): Record<string, string> {
  const vars: Record<string, string> = { ...options.template_vars };
  for (const [name, spec] of Object.entries(options.template_params)) {
    const value = appParams[spec.from];
    if (value === undefined) {
      if (vars[name] !== undefined) continue;
      throw new ConnectionError('template_param_missing',
        `connection "${connection}" needs the /authorize parameter "${spec.from}" (it fills {{ ${name} }} in its URLs)`);
    }
    if (value.length > MAX_TEMPLATE_VALUE_CHARS) {
      throw new ConnectionError('template_param_invalid',
        `connection "${connection}": the /authorize parameter "${spec.from}" is longer than ${MAX_TEMPLATE_VALUE_CHARS} characters`);
    }
    if (!(spec.pattern ? matchesTemplatePattern(spec.pattern, value) : DEFAULT_TEMPLATE_VALUE.test(value))) {
      throw new ConnectionError('template_param_invalid',
        `connection "${connection}": the /authorize parameter "${spec.from}" has characters that are not allowed (${spec.pattern ? `must match ${spec.pattern}` : 'letters, digits and inner hyphens only'})`);
    }
    vars[name] = value;
  }
  return vars;
}

/**
 * Renders one of the connection's URLs with validated template values, checks the result
 * against the policy, then its origin against the one the template declares (`params`: the
 * connection's template_params, whose values must stay single labels in a host).
 */
export function renderUrl(connection: string, field: string, template: string, vars: Record<string, string>, policy: UrlPolicy, params: HostParams): string {
  let parts: RenderedPart[];
  try {
    parts = renderTemplateParts(template, vars);
  } catch (err) {
    throw new ConnectionError('url_template', `connection "${connection}": ${field} cannot be built: ${(err as Error).message}`);
  }
  const rendered = parts.map((p) => p.text).join('');
  const problem = upstreamUrlProblem(rendered, policy);
  if (problem) throw new ConnectionError('url_not_allowed', `connection "${connection}": ${field} as rendered ${problem}`);
  checkRenderedOrigin(connection, field, parts, params);
  return rendered;
}

/** The address refresh requests go to: refreshURL when set, else tokenURL, rendered with the identity's template values. */
export function refreshUrl(connection: string, options: Pick<EngineOptions, 'refreshURL' | 'tokenURL' | 'template_params'>, vars: Record<string, string>, policy: UrlPolicy): string {
  const [field, template] = options.refreshURL ? ['refreshURL', options.refreshURL] : ['tokenURL', options.tokenURL];
  return renderUrl(connection, field, template, vars, policy, options.template_params);
}
