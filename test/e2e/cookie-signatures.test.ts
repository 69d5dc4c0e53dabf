import { authorizationRequest } from '../support/app.ts';
import { startLoginWorld, stopLoginWorld, type LoginWorld } from '../support/login-world.ts';
import { UserAgent } from '../support/user-agent.ts';

// oidc-provider's cookies are signed through src/oidc/cookie-keys.ts: a forged signature must lose the interaction.
let world: LoginWorld;
beforeAll(async () => {
  world = await startLoginWorld();
});
afterAll(async () => {
  await stopLoginWorld(world);
});

/** A browser holding a fresh interaction (redirected to /login/:uid); returns it and the login page's URL. */
async function pendingLogin(): Promise<{ ua: UserAgent; loginUrl: string }> {
  const ua = new UserAgent();
  const { url } = await authorizationRequest(world.app);
  const page = await ua.request(url);
  expect(page.status).toBe(303);
  expect(page.location).toMatch(/\/login\/[\w-]+$/);
  return { ua, loginUrl: page.location! };
}

test('a correctly signed interaction cookie opens the login page', async () => {
  const { ua, loginUrl } = await pendingLogin();
  expect(ua.cookies.map((c) => c.name)).toEqual(expect.arrayContaining(['_interaction', '_interaction.sig']));
  const page = await ua.request(loginUrl);
  expect(page.status).toBe(200);
  expect(page.text).not.toContain('login_expired');
});

test.each([
  ['a changed signature', (sig: string) => `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`],
  ['a truncated signature', (sig: string) => sig.slice(0, -2)],
])('%s of the interaction cookie ends the sign-in', async (_what, forge) => {
  const { ua, loginUrl } = await pendingLogin();
  const sig = ua.cookies.find((c) => c.name === '_interaction.sig')!;
  sig.value = forge(sig.value);
  const page = await ua.request(loginUrl);
  expect(page.status).toBeGreaterThanOrEqual(400);
  expect(page.text).toContain('login_expired');
});

test('an interaction cookie moved to another value with its old signature ends the sign-in', async () => {
  const first = await pendingLogin();
  const second = await pendingLogin();
  const value = second.ua.cookies.find((c) => c.name === '_interaction')!;
  value.value = first.ua.cookies.find((c) => c.name === '_interaction')!.value;
  const page = await second.ua.request(second.loginUrl);
  expect(page.status).toBeGreaterThanOrEqual(400);
  expect(page.text).toContain('login_expired');
});
