/** Slack v2: user_scope, the user token under authed_user, {ok:false} answers; the usual mistakes. */
import { startSlack, type Upstream } from '../../support/upstreams/index.ts';
import { SLACK } from './configs.ts';
import { connect, signIn, startProvider, userOf, variant, type Harness, type Swap } from './harness.ts';

let h: Harness;
let up: Upstream;
let swaps: Swap[];
const { client_id, client_secret } = SLACK.options;
beforeAll(async () => {
  ({ h, up, swaps } = await startProvider([SLACK], startSlack, (u) => [['https://slack.com', u.url]]));
});
afterAll(() => h.close());

test('the documented connection signs the user in with the user token from authed_user', async () => {
  const { claims, error } = await signIn(h, { connection: 'slack' });
  expect(error).toBeUndefined();
  expect(claims).toMatchObject({ sub: 'oauth2|slack|T0001:U0001', name: 'Grace Hopper', email: 'grace@acme.example', email_verified: true });
  expect(await userOf(h, claims?.sub)).toMatchObject({ picture: 'https://avatars.example/grace_192.png', slack_team_id: 'T0001' });

  // Slack got the identity scopes as user_scope (comma-separated) and no bot scope.
  const authorize = up.lastAuthorize!.query;
  expect(authorize).toMatchObject({ client_id, redirect_uri: h.callback, user_scope: 'identity.basic,identity.email,identity.avatar' });
  expect(authorize).not.toHaveProperty('scope');
  expect(up.lastToken?.body).toMatchObject({ client_id, client_secret, code: expect.any(String) as unknown });
  // The profile call carried the user token (xoxp-), the one found at authed_user.access_token.
  expect(up.lastProfile?.headers['authorization']).toMatch(/^Bearer xoxp-/);
});

describe('mistakes', () => {
  test('without token_response_paths: the message lists authed_user.access_token and names the option', async () => {
    await connect(h, variant(SLACK, 'slack-no-paths', ({ token_response_paths: _paths, ...o }) => o), swaps);
    const { error, description } = await signIn(h, { connection: 'slack-no-paths' });
    expect(error).toBe('access_denied');
    expect(description).toMatch(/no access token at "access_token"; keys present: .*authed_user\.access_token/);
    expect(description).toMatch(/Set options\.token_response_paths\.access_token to the right path/);
    expect(description).not.toMatch(/xox/);
  });

  test('a wrong client secret: Slack answers HTTP 200 {ok:false}, the message names the error', async () => {
    await connect(h, variant(SLACK, 'slack-secret', (o) => ({ ...o, client_secret: 'signing-secret-by-mistake' })), swaps);
    const { error, description } = await signIn(h, { connection: 'slack-secret' });
    expect(error).toBe('access_denied');
    expect(description).toMatch(/^connection "slack-secret": the token endpoint answered 200/);
    expect(description).toMatch(/answered 200 bad_client_secret/);
  });

  test('identity scopes in `scope` instead of `user_scope`: Slack shows its own error page, the app hears nothing', async () => {
    await connect(h, variant(SLACK, 'slack-bot-scope', ({ authParams: _a, ...o }) => ({ ...o, scope: 'identity.basic,identity.email' })), swaps);
    const { page, claims, error } = await signIn(h, { connection: 'slack-bot-scope' });
    expect([claims, error]).toEqual([undefined, undefined]);
    expect(page?.status).toBe(400);
    expect(page?.text).toMatch(/identity\.\* scopes can only be requested in user_scope/);
  });

  test('a bot scope and no token_response_paths: the bot token is used, and users.identity refuses it', async () => {
    await connect(h, variant(SLACK, 'slack-bot-token', ({ token_response_paths: _p, ...o }) => ({ ...o, scope: 'chat:write' })), swaps);
    const { error, description } = await signIn(h, { connection: 'slack-bot-token' });
    expect(error).toBe('access_denied');
    expect(description).toBe('connection "slack-bot-token": fetchUserProfile threw an error: Slack users.identity failed: not_allowed_token_type (line 5)');
  });
});
