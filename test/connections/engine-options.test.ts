import { resolveOptions } from '../../src/connections/engine-options.ts';
import { oauth2OptionsSchema } from '../../src/connections/options.ts';

const parse = (extra: Record<string, unknown>) => oauth2OptionsSchema({ allowInsecure: false }).parse({
  authorizationURL: 'https://id.example/authorize', tokenURL: 'https://id.example/token', client_id: 'c',
  scripts: { fetchUserProfile: 'function (a, c, cb) { cb(null, { user_id: 1 }) }' }, ...extra,
});

describe('resolveOptions', () => {
  it('gives every engine option its documented default', () => {
    const o = resolveOptions(parse({}));
    expect(o).toMatchObject({
      useOauthSpecScope: false, authParams: {}, authParamsMap: {}, customHeaders: {}, pkce_enabled: false,
      set_user_root_attributes: 'on_each_login', token_endpoint_auth_method: 'client_secret_post', token_request_format: 'form',
      token_request_method: 'POST', token_request_extra_params: {}, authorize_param_names: {}, unique_callback: false,
      template_vars: {}, template_params: {},
    });
    expect(o.token_request_param_names).toEqual({
      client_id: 'client_id', client_secret: 'client_secret', code: 'code', redirect_uri: 'redirect_uri',
      grant_type: 'grant_type', code_verifier: 'code_verifier', refresh_token: 'refresh_token',
    });
    expect(o.token_response_paths).toEqual({
      access_token: 'access_token', refresh_token: 'refresh_token', expires_in: 'expires_in', id_token: 'id_token', token_type: 'token_type', scope: 'scope',
    });
    expect([o.scope, o.issuer, o.refreshURL]).toEqual([undefined, undefined, undefined]);
  });

  it('keeps what the admin set, and a public client always uses PKCE', () => {
    const o = resolveOptions(parse({
      token_endpoint_auth_method: 'none', pkce_enabled: false, token_request_param_names: { client_id: 'client_key' },
      token_response_paths: { access_token: 'data.access_token' }, token_request_method: 'GET', unknown_key: 'kept',
    }));
    expect([o.pkce_enabled, o.token_request_param_names.client_id, o.token_request_param_names.code, o.token_response_paths.access_token, o.token_request_method, o['unknown_key']])
      .toEqual([true, 'client_key', 'code', 'data.access_token', 'GET', 'kept']);
  });
});
