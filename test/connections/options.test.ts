import { oauth2OptionsSchema } from '../../src/connections/options.ts';
import { templateSamples } from '../../src/connections/template.ts';

const strict = oauth2OptionsSchema({ allowInsecure: false });
const base = { authorizationURL: 'https://id.example.com/authorize', tokenURL: 'https://id.example.com/token', client_id: 'c', scripts: { fetchUserProfile: 'function(a,c,cb){}' } };
const problems = (o: Record<string, unknown>) => {
  const r = strict.safeParse({ ...base, ...o });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

test('every branch of a conditional URL is checked on its own', () => {
  expect(templateSamples("https://{% if env == 'sandbox' %}sandbox-api:8443{% else %}api{% endif %}.example.com/t", () => 'x'))
    .toEqual(['https://sandbox-api:8443.example.com/t', 'https://api.example.com/t']);
  expect(problems({ tokenURL: "https://{% if env == 'eu' %}eu.example.com:8443{% else %}us.example.com{% endif %}/token", template_vars: { env: 'eu' } })).toEqual([]);
});

test('a branch or an admin variable naming an internal host is refused without the development setting', () => {
  expect(problems({ tokenURL: "https://{% if env == 'x' %}127.0.0.1{% else %}api.example.com{% endif %}/token", template_vars: { env: 'y' } }).join())
    .toMatch(/tokenURL: must not point at a loopback or private address .*as rendered: https:\/\/127\.0\.0\.1\/token/);
  expect(problems({ tokenURL: 'https://{{ host }}/token', template_vars: { host: '10.0.0.5' } }).join())
    .toMatch(/tokenURL: with template_vars: must not point at a loopback or private address/);
  expect(problems({ authorizationURL: 'https://localhost/authorize' }).join()).toMatch(/authorizationURL: must not point at a loopback/);
  expect(problems({ tokenURL: 'https://{{ host }}/token', template_vars: { host: 'auth.example.com' } })).toEqual([]);
});

test('template syntax errors and undefined variables are named', () => {
  expect(problems({ tokenURL: 'https://{% if a %}x.example.com/t' }).join()).toMatch(/tokenURL: template: {% if %} is missing its {% endif %}/);
  expect(problems({ tokenURL: 'https://{{ tenant }}.example.com/t' }).join()).toMatch(/tokenURL: uses {{tenant}} but neither template_vars nor template_params define it/);
  expect(problems({ tokenURL: 'https://{% for x in y %}a{% endfor %}.example.com/t' }).join()).toMatch(/unsupported tag/);
});

test('customHeaders may not set framing or connection headers (request smuggling on pooled sockets)', () => {
  for (const name of ['Content-Length', 'transfer-encoding', 'Host', 'Connection']) {
    expect(problems({ customHeaders: { [name]: '1' } }).join()).toMatch(/customHeaders: must not set content-length, transfer-encoding/);
  }
  expect(problems({ customHeaders: { 'X-Api-Key': 'k' } })).toEqual([]);
});
