import { AppError } from '../../src/errors/app-error.ts';
import { createBodyFromForm, formValues, updateBodyFromForm } from '../../src/console/connection-form.ts';

/** The connection form's fields as Management API bodies: what a form cannot show is kept, what it empties is removed. */

const FORM = {
  name: 'acme', display_name: 'Acme', authorizationURL: 'https://idp.example/authorize', tokenURL: 'https://idp.example/token',
  scope: 'openid profile', useOauthSpecScope: 'true', client_id: 'up', client_secret: 's3cret', fetchUserProfile: 'function (a, c, cb) {\r\n  cb(null, {});\r\n}',
  customHeaders: '{"Accept": "application/json"}', token_endpoint_auth_method: 'client_secret_basic', icon_url: '',
};

test('a new connection: Auth0 field names, the script with its own line breaks, empty fields left out', () => {
  expect(createBodyFromForm(FORM)).toEqual({
    name: 'acme', strategy: 'oauth2', display_name: 'Acme',
    options: {
      authorizationURL: FORM.authorizationURL, tokenURL: FORM.tokenURL, scope: 'openid profile', useOauthSpecScope: true, client_id: 'up',
      client_secret: 's3cret', customHeaders: { Accept: 'application/json' }, token_endpoint_auth_method: 'client_secret_basic',
      scripts: { fetchUserProfile: 'function (a, c, cb) {\n  cb(null, {});\n}' },
    },
  });
});

test('an edit keeps the options the form does not show, drops what it unchecks or empties, and omits an empty secret', () => {
  const stored = { authorizationURL: 'https://old/authorize', tokenURL: 'https://old/token', client_id: 'up', useOauthSpecScope: true, pkce_enabled: true,
    authorize_param_names: { client_id: 'client_key' }, template_params: { shop: { from: 'shop' } }, scripts: { fetchUserProfile: 'old' }, refreshURL: 'https://old/refresh' };
  const { useOauthSpecScope: _unchecked, ...rest } = FORM;
  const body = updateBodyFromForm({ ...rest, client_secret: '', display_name: '' }, stored);
  expect(body['display_name']).toBeNull();
  const options = body['options'] as Record<string, unknown>;
  expect(options).toMatchObject({ authorize_param_names: { client_id: 'client_key' }, template_params: { shop: { from: 'shop' } }, authorizationURL: FORM.authorizationURL });
  for (const gone of ['useOauthSpecScope', 'pkce_enabled', 'refreshURL', 'client_secret', 'icon_url']) expect(options).not.toHaveProperty(gone);
});

test('a JSON field that is not a JSON object is refused with its name', () => {
  for (const bad of ['{"Accept": ', '["a"]', '"text"']) {
    expect(() => createBodyFromForm({ ...FORM, customHeaders: bad })).toThrow(AppError);
    expect(() => createBodyFromForm({ ...FORM, customHeaders: bad })).toThrow(/options\.customHeaders/);
  }
});

test('stored options show in the form: JSON pretty-printed, a scope list joined by spaces, flags as "true"', () => {
  expect(formValues({ scope: ['openid', 'email'], customHeaders: { A: '********' }, pkce_enabled: true, scripts: { fetchUserProfile: 'x' } })).toEqual({
    scope: 'openid email', customHeaders: '{\n  "A": "********"\n}', pkce_enabled: 'true', fetchUserProfile: 'x',
  });
});
