/** The origin check of rendered upstream URLs (src/connections/template-host.ts), through renderUrl and refreshUrl. */
import { ConnectionError } from '../../src/connections/errors.ts';
import { refreshUrl, renderUrl } from '../../src/connections/upstream-urls.ts';
import type { HostParams } from '../../src/connections/template-host.ts';

const POLICY = { allowInsecure: false, allow: [] };
const SHOP: HostParams = { shop: { from: 'shop' } };
const SUFFIXED: HostParams = { shop: { from: 'shop', host_suffix: '.myshopify.com' } };

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof ConnectionError) return err.code;
    throw err;
  }
};

test('the token request address cannot be steered to another host by a value, whatever its pattern allowed', () => {
  const template = 'https://{{ shop }}.myshopify.com/admin/oauth/access_token';
  expect(renderUrl('c', 'tokenURL', template, { shop: 'acme' }, POLICY, SHOP)).toBe('https://acme.myshopify.com/admin/oauth/access_token');
  for (const shop of ['evil.example/x?', 'evil.example#', 'a.b', 'x@evil.example', '', '-a', 'a'.repeat(64)]) {
    expect([shop, codeOf(() => renderUrl('c', 'tokenURL', template, { shop }, POLICY, SHOP))]).toEqual([shop, 'template_param_invalid']);
  }
  // A port "443.myshopify.com" is no URL at all: the policy check refuses it first.
  expect(codeOf(() => renderUrl('c', 'tokenURL', template, { shop: 'evil.example:443' }, POLICY, SHOP))).toBe('url_not_allowed');
});

test('refreshes go through the same check, also with values stored before it existed', () => {
  const options = { tokenURL: 'https://{{ shop }}.myshopify.com/token', template_params: SHOP };
  expect(refreshUrl('c', options, { shop: 'acme' }, POLICY)).toBe('https://acme.myshopify.com/token');
  expect(codeOf(() => refreshUrl('c', options, { shop: 'evil.example/x?' }, POLICY))).toBe('template_param_invalid');
  expect(codeOf(() => refreshUrl('c', { ...options, refreshURL: 'https://{{ shop }}.myshopify.com/refresh' }, { shop: 'evil.example#' }, POLICY)))
    .toBe('template_param_invalid');
});

test('a declared host_suffix lets the whole host be a value ending in it, and nothing else', () => {
  const template = 'https://{{ shop }}/admin/oauth/authorize';
  expect(renderUrl('c', 'authorizationURL', template, { shop: 'acme.myshopify.com' }, POLICY, SUFFIXED)).toBe('https://acme.myshopify.com/admin/oauth/authorize');
  expect(renderUrl('c', 'authorizationURL', template, { shop: 'eu.Acme.MyShopify.com' }, POLICY, SUFFIXED)).toBe('https://eu.Acme.MyShopify.com/admin/oauth/authorize');
  for (const shop of ['evil.example', 'myshopify.com', 'acme.myshopify.com.evil.example', 'evilmyshopify.com', 'acme.myshopify.com/x', 'a..myshopify.com']) {
    expect([shop, codeOf(() => renderUrl('c', 'authorizationURL', template, { shop }, POLICY, SUFFIXED))]).toEqual([shop, 'template_param_invalid']);
  }
  // Without the suffix the same value is refused: a host value is one label by default.
  expect(codeOf(() => renderUrl('c', 'authorizationURL', template, { shop: 'acme.myshopify.com' }, POLICY, SHOP))).toBe('template_param_invalid');
});

test('values in the path or query stay there (their pattern decides), and the admin\'s own template_vars are literal text', () => {
  expect(renderUrl('c', 'tokenURL', 'https://login.example.com/{{ tenant }}/token', { tenant: 'acme.onmicrosoft.com' }, POLICY, { tenant: { from: 't' } }))
    .toBe('https://login.example.com/acme.onmicrosoft.com/token');
  expect(renderUrl('c', 'tokenURL', 'https://{{ host }}/token', { host: 'auth.example.com' }, POLICY, {})).toBe('https://auth.example.com/token');
});

test('the parsed origin must be the declared one: default ports, letter case, and userinfo', () => {
  expect(renderUrl('c', 'tokenURL', 'https://{{ shop }}.Example.com:443/t', { shop: 'acme' }, POLICY, SHOP)).toBe('https://acme.Example.com:443/t');
  expect(renderUrl('c', 'tokenURL', 'https://{{ shop }}.example.com:8443/t', { shop: 'acme' }, POLICY, SHOP)).toBe('https://acme.example.com:8443/t');
  // A template whose text hides another host behind userinfo does not have the origin it spells.
  expect(codeOf(() => renderUrl('c', 'tokenURL', 'https://{{ shop }}.example.com@evil.example/t', { shop: 'acme' }, POLICY, SHOP))).toBe('url_not_allowed');
});
