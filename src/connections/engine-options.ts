import type { z } from 'zod';
import { ParamNamesSchema, TokenPathsSchema, type OAuth2Options } from './options.ts';

type ParamName = keyof z.infer<typeof ParamNamesSchema>;
type TokenPath = keyof z.infer<typeof TokenPathsSchema>;
type Defined<K extends keyof OAuth2Options> = NonNullable<OAuth2Options[K]>;

/**
 * A connection's options with every default applied (the defaults are documented on each
 * option in options.ts). The engine reads only these, so no step carries its own fallback;
 * they are resolved once per connection version, in the options cache.
 */
export type EngineOptions = OAuth2Options & {
  useOauthSpecScope: boolean;
  authParams: Defined<'authParams'>;
  authParamsMap: Defined<'authParamsMap'>;
  customHeaders: Defined<'customHeaders'>;
  /** True when PKCE is used: asked for, or implied by a public client (token_endpoint_auth_method "none"). */
  pkce_enabled: boolean;
  set_user_root_attributes: Defined<'set_user_root_attributes'>;
  token_endpoint_auth_method: Defined<'token_endpoint_auth_method'>;
  token_request_format: Defined<'token_request_format'>;
  token_request_method: Defined<'token_request_method'>;
  /** Every token-request key, mapped to the name the provider wants (itself unless renamed). */
  token_request_param_names: Record<ParamName, string>;
  token_request_extra_params: Defined<'token_request_extra_params'>;
  /** Every token-response value, mapped to its dot path (its standard name unless configured). */
  token_response_paths: Record<TokenPath, string>;
  authorize_param_names: Defined<'authorize_param_names'>;
  unique_callback: boolean;
  template_vars: Defined<'template_vars'>;
  template_params: Defined<'template_params'>;
};

const PARAM_NAMES = ParamNamesSchema.keyof().options;
const TOKEN_PATHS = TokenPathsSchema.keyof().options;

/** Each key of `keys` mapped to its configured name, or to itself. */
const named = <K extends string>(keys: readonly K[], given: Partial<Record<K, string>> | undefined): Record<K, string> =>
  Object.fromEntries(keys.map((k) => [k, given?.[k] ?? k])) as Record<K, string>;

/** Applies every default to validated options (dex resolves its connector config the same way, once, in Open). */
export function resolveOptions(o: OAuth2Options): EngineOptions {
  const authMethod = o.token_endpoint_auth_method ?? 'client_secret_post';
  return {
    ...o,
    useOauthSpecScope: o.useOauthSpecScope ?? false,
    authParams: o.authParams ?? {},
    authParamsMap: o.authParamsMap ?? {},
    customHeaders: o.customHeaders ?? {},
    pkce_enabled: o.pkce_enabled === true || authMethod === 'none',
    set_user_root_attributes: o.set_user_root_attributes ?? 'on_each_login',
    token_endpoint_auth_method: authMethod,
    token_request_format: o.token_request_format ?? 'form',
    token_request_method: o.token_request_method ?? 'POST',
    token_request_param_names: named(PARAM_NAMES, o.token_request_param_names),
    token_request_extra_params: o.token_request_extra_params ?? {},
    token_response_paths: named(TOKEN_PATHS, o.token_response_paths),
    authorize_param_names: o.authorize_param_names ?? {},
    unique_callback: o.unique_callback ?? false,
    template_vars: o.template_vars ?? {},
    template_params: o.template_params ?? {},
  };
}
