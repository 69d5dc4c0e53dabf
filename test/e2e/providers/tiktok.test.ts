/** TikTok: client_key instead of client_id, comma-separated scopes, tokens under `data`; the usual mistakes. */
import { startTikTok, type Upstream } from '../../support/upstreams/index.ts';
import { TIKTOK } from './configs.ts';
import { connect, signIn, startProvider, userOf, variant, type Harness, type Swap } from './harness.ts';

let h: Harness;
let up: Upstream;
let swaps: Swap[];
const { client_id, client_secret } = TIKTOK.options;
beforeAll(async () => {
  ({ h, up, swaps } = await startProvider([TIKTOK], (r) => startTikTok({ ...r, nestUnderData: true }),
    (u) => [['https://www.tiktok.com', u.url], ['https://open.tiktokapis.com', u.url]]));
});
afterAll(() => h.close());

test('the documented connection signs the user in', async () => {
  const { claims, error } = await signIn(h, { connection: 'tiktok' });
  expect(error).toBeUndefined();
  expect(claims).toMatchObject({ sub: 'oauth2|tiktok|-000OpenIdTikTok1', name: 'Tik Toker', nickname: 'tiktoker' });
  expect(await userOf(h, claims?.sub)).toMatchObject({ tiktok_union_id: 'c9c60f44-a68e-4f5d-84dd-ce22faeb0ba1' });

  // TikTok got client_key (not only client_id) and comma-separated scopes at /authorize...
  expect(up.lastAuthorize?.query).toMatchObject({ client_key: client_id, scope: 'user.info.basic,user.info.profile', redirect_uri: h.callback });
  // ...and a form body with client_key and no client_id at the token endpoint.
  const token = up.lastToken!;
  expect(token.bodyType).toBe('form');
  expect(token.body).toMatchObject({ client_key: client_id, client_secret, grant_type: 'authorization_code', redirect_uri: h.callback });
  expect(token.body).not.toHaveProperty('client_id');
  // The access token came from data.access_token.
  expect(up.lastProfile?.headers['authorization']).toMatch(/^Bearer act\./);
});

describe('mistakes', () => {
  test('without token_response_paths: the message lists data.access_token and names the option', async () => {
    await connect(h, variant(TIKTOK, 'tiktok-no-paths', ({ token_response_paths: _p, ...o }) => o), swaps);
    const { error, description } = await signIn(h, { connection: 'tiktok-no-paths' });
    expect(error).toBe('access_denied');
    expect(description).toMatch(/no access token at "access_token"; keys present: .*data\.access_token.*Set options\.token_response_paths\.access_token/);
  });

  test('without authorize_param_names: TikTok shows its own error page (missing client_key), the app hears nothing', async () => {
    await connect(h, variant(TIKTOK, 'tiktok-no-key', ({ authorize_param_names: _a, ...o }) => o), swaps);
    const { page, error } = await signIn(h, { connection: 'tiktok-no-key' });
    expect(error).toBeUndefined();
    expect([page?.status, page?.text]).toEqual([400, expect.stringContaining('missing client_key')]);
  });

  test('without token_request_param_names (v2 answers): the message quotes "client_key is required"', async () => {
    const flat = await startTikTok({ clientId: client_id, clientSecret: client_secret, redirectUris: [h.callback] });
    try {
      const body = variant(TIKTOK, 'tiktok-v2-no-rename', ({ token_request_param_names: _n, token_response_paths: _p, ...o }) => o);
      await connect(h, body, [['https://www.tiktok.com', flat.url], ['https://open.tiktokapis.com', flat.url]]);
      const { error, description } = await signIn(h, { connection: 'tiktok-v2-no-rename' });
      expect(error).toBe('access_denied');
      expect(description).toMatch(/answered 400 invalid_request \(client_key is required \(client_id is not a TikTok parameter\)\)/);
      expect(description).toMatch(/check token_request_format, token_request_param_names/);
    } finally {
      await flat.close();
    }
  });

  // An error answered inside `data` with HTTP 200 (v1 shape: data.error_code, data.description): the message quotes it.
  test('without token_request_param_names (answers under data): the message quotes TikTok\'s description', async () => {
    await connect(h, variant(TIKTOK, 'tiktok-no-rename', ({ token_request_param_names: _n, ...o }) => o), swaps);
    const { description } = await signIn(h, { connection: 'tiktok-no-rename' });
    expect(description).toMatch(/client_key is required/);
  });
});
