import type { EngineOptions } from './engine-options.ts';

/** Parameters the engine adds to the upstream authorization request beyond the standard ones. */
export function extraAuthorizeParams(options: EngineOptions, appParams: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.authParams)) out[key] = value;
  // authParamsMap: provider parameter ← the app's /authorize parameter of that name, when sent.
  for (const [upstreamKey, appKey] of Object.entries(options.authParamsMap)) {
    const value = appParams[appKey];
    if (value !== undefined) out[upstreamKey] = value;
  }
  const renamed = options.authorize_param_names.client_id;
  if (renamed) out[renamed] = options.client_id;
  return out;
}
