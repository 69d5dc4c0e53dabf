import { ConnectionError } from './errors.ts';
import { DEFAULT_TEMPLATE_VALUE, upstreamUrlProblem, type OAuth2Options, type UrlPolicy } from './options.ts';
import { renderTemplate } from './template.ts';

/** Parameters the engine adds to the upstream authorization request beyond the standard ones. */
export function extraAuthorizeParams(options: OAuth2Options, appParams: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.authParams ?? {})) out[key] = value;
  // authParamsMap: provider parameter ← the app's /authorize parameter of that name, when sent.
  for (const [upstreamKey, appKey] of Object.entries(options.authParamsMap ?? {})) {
    const value = appParams[appKey];
    if (value !== undefined) out[upstreamKey] = value;
  }
  const renamed = options.authorize_param_names?.client_id;
  if (renamed) out[renamed] = options.client_id;
  return out;
}

/**
 * Values for URL templates: the connection's `template_vars`, plus `template_params` taken
 * from the app's /authorize request. Every value must match its pattern (one hostname label
 * by default), so no value can steer a request to another host.
 */
export function templateValues(connection: string, options: OAuth2Options, appParams: Record<string, string>): Record<string, string> {
  const vars: Record<string, string> = { ...(options.template_vars ?? {}) };
  for (const [name, spec] of Object.entries(options.template_params ?? {})) {
    const value = appParams[spec.from];
    if (value === undefined) {
      if (vars[name] !== undefined) continue;
      throw new ConnectionError('template_param_missing',
        `connection "${connection}" needs the /authorize parameter "${spec.from}" (it fills {{ ${name} }} in its URLs)`, 'invalid_request');
    }
    const pattern = spec.pattern ? new RegExp(`^(?:${spec.pattern})$`) : DEFAULT_TEMPLATE_VALUE;
    if (!pattern.test(value)) {
      throw new ConnectionError('template_param_invalid',
        `connection "${connection}": the /authorize parameter "${spec.from}" has characters that are not allowed (${spec.pattern ? `must match ${spec.pattern}` : 'letters, digits and inner hyphens only'})`,
        'invalid_request');
    }
    vars[name] = value;
  }
  return vars;
}

/** Renders one of the connection's URLs with validated template values, and checks the result against the policy. */
export function renderUrl(connection: string, field: string, template: string, vars: Record<string, string>, policy: UrlPolicy): string {
  let rendered: string;
  try {
    rendered = renderTemplate(template, vars);
  } catch (err) {
    throw new ConnectionError('url_template', `connection "${connection}": ${field} cannot be built: ${(err as Error).message}`);
  }
  const problem = upstreamUrlProblem(rendered, policy);
  if (problem) throw new ConnectionError('url_template', `connection "${connection}": ${field} as rendered ${problem}`, 'invalid_request');
  return rendered;
}
