/** GitHub: the documented connection signs in; what GitHub received; the usual mistakes and their messages. */
import { startGitHub, type Upstream } from '../../support/upstreams/index.ts';
import { GITHUB } from './configs.ts';
import { connect, signIn, startProvider, userOf, variant, type Harness, type Swap } from './harness.ts';

let h: Harness;
let up: Upstream;
let swaps: Swap[];
const { client_id, client_secret } = GITHUB.options;
beforeAll(async () => {
  ({ h, up, swaps } = await startProvider([GITHUB], startGitHub, (u) => [['https://github.com', u.url], ['https://api.github.com', u.url]]));
});
afterAll(() => h.close());

test('the documented connection signs the user in with a verified id_token', async () => {
  const { claims, error } = await signIn(h, { connection: 'github' });
  expect(error).toBeUndefined();
  expect(claims).toMatchObject({ sub: 'oauth2|github|583231', name: 'The Octocat', email: 'octocat@users.example.com', email_verified: true });
  expect(await userOf(h, claims?.sub)).toMatchObject({ nickname: 'octocat', picture: 'https://avatars.githubusercontent.com/u/583231?v=4' });

  // GitHub got space-separated scopes and a PKCE challenge; the code exchange asked for JSON.
  expect(up.lastAuthorize?.query).toMatchObject({ client_id, redirect_uri: h.callback, scope: 'read:user user:email', code_challenge_method: 'S256' });
  const token = up.lastToken!;
  expect(token.headers['accept']).toBe('application/json');
  expect(token.body).toMatchObject({ client_id, client_secret, code_verifier: expect.stringMatching(/^[\w-]{43,}$/) as unknown });
  expect(up.lastProfile?.headers['user-agent']).toBe('brokerid');
});

test('connection_scope adds scopes, still space-separated (useOauthSpecScope)', async () => {
  const { claims } = await signIn(h, { connection: 'github', connection_scope: 'repo,gist' });
  expect(claims?.sub).toBe('oauth2|github|583231');
  expect(up.lastAuthorize?.query['scope']).toBe('read:user user:email repo gist');
});

test('an Accept header overridden in customHeaders gets a form-encoded answer, which is still understood', async () => {
  await connect(h, variant(GITHUB, 'github-accept', (o) => ({ ...o, customHeaders: { Accept: 'application/vnd.github+json' } })), swaps);
  const { claims, error } = await signIn(h, { connection: 'github-accept' });
  expect(error).toBeUndefined();
  expect(claims?.sub).toBe('oauth2|github-accept|583231');
  // GitHub answers JSON only to an Accept naming application/json; this one got a form-encoded body.
  expect(up.lastToken?.headers['accept']).toBe('application/vnd.github+json');
});

describe('mistakes', () => {
  test('a wrong client secret: GitHub answers 200 incorrect_client_credentials, and the message says so', async () => {
    await connect(h, variant(GITHUB, 'github-secret', (o) => ({ ...o, client_secret: 'the-client-id-pasted-twice' })), swaps);
    const { error, description } = await signIn(h, { connection: 'github-secret' });
    expect(error).toBe('access_denied');
    expect(description).toMatch(/^connection "github-secret": the token endpoint answered 200 incorrect_client_credentials/);
    expect(description).toMatch(/The client_id and\/or client_secret passed are incorrect/);
  });

  test('scopes written as one comma-separated string: GitHub refuses them, the message names the separator', async () => {
    await connect(h, variant(GITHUB, 'github-commas', (o) => ({ ...o, scope: 'read:user,user:email' })), swaps);
    const { error, description } = await signIn(h, { connection: 'github-commas' });
    expect(error).toBe('access_denied');
    expect(description).toMatch(/the provider answered invalid_scope .*scope is space-separated/);
  });

  test('a profile script that sends no User-Agent still works: requests carry the server\'s default one', async () => {
    const script = GITHUB.options.scripts.fetchUserProfile.replace(", 'User-Agent': 'brokerid'", '');
    expect(script).not.toBe(GITHUB.options.scripts.fetchUserProfile);
    await connect(h, variant(GITHUB, 'github-no-ua', (o) => ({ ...o, scripts: { fetchUserProfile: script } })), swaps);
    const { error } = await signIn(h, { connection: 'github-no-ua' });
    expect(error).toBeUndefined();
    expect(up.lastProfile?.headers['user-agent']).toMatch(/^brokerid/);
  });

  // An unreadable token answer names its content type and the Accept header the admin set.
  test('Accept: application/xml in customHeaders: the message names the Accept header', async () => {
    await connect(h, variant(GITHUB, 'github-xml', (o) => ({ ...o, customHeaders: { Accept: 'application/xml' } })), swaps);
    const { error, description } = await signIn(h, { connection: 'github-xml' });
    expect(error).toBe('access_denied');
    expect(description).toMatch(/Accept/);
  });
});
