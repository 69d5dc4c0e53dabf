import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import express from 'express';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createProvider } from '../../demo/provider.ts';
import { browserSkipReason, launchBrowser } from '../support/browser.ts';
import { userinfoScript } from '../support/connections.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { signInConsolePage } from './try-support.ts';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const skip = browserSkipReason();
if (skip) console.warn(`console try browser tests: ${skip}`);
const maybe = skip ? describe.skip : describe;
const SECRET = 'example-provider-secret-0123456789';
const WRONG = 'rotated-away-secret-9876543210';

/**
 * The example provider (its sign-in page asks a name and an email), recording each code and
 * token it hands out. It listens on 127.0.0.2: another site than the console's 127.0.0.1, so
 * its redirect back is a cross-site navigation and the SameSite=Lax session cookie is proven
 * to come along (a top-level GET).
 */
async function startProvider(redirectUri: string): Promise<{ url: string; issued: string[]; close(): Promise<void> }> {
  const issued: string[] = [];
  const app = express();
  app.use((_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const token = (body as { access_token?: unknown } | undefined)?.access_token;
      if (typeof token === 'string') issued.push(token);
      return json(body);
    };
    res.on('finish', () => {
      const code = new URL(String(res.getHeader('location') ?? 'x:'), 'http://127.0.0.1').searchParams.get('code');
      if (code) issued.push(code);
    });
    next();
  });
  app.use(createProvider({ clientId: 'brokerid', clientSecret: SECRET, redirectUri }));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.2', () => resolve(s));
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the provider has no port');
  return { url: `http://127.0.0.2:${address.port}`, issued, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * "Try connection" from the console as an admin does it, in headless Chromium: sign in,
 * create a connection through the form, click Try, sign in at the provider's own page, read
 * the result; break the secret through the form, Try again, read the failed step and its fix.
 * Neither try writes a user.
 */
maybe('Try connection from the console in a real browser', () => {
  let srv: TestServer;
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let connectionUrl = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    srv = await startTestServer();
    provider = await startProvider(`${srv.issuer}login/callback`);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  }, 30_000);
  afterAll(async () => {
    for (const part of [browser, provider, srv]) await part?.close();
  });

  /** Clicks Try on the connection page and signs in at the provider's page as `name`; waits for the result page. */
  async function tryAs(name: string, email: string, shot?: string): Promise<void> {
    await page.goto(connectionUrl);
    await Promise.all([page.waitForURL(`${provider.url}/authorize?**`), page.getByRole('link', { name: 'Try', exact: true }).click()]);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Email').fill(email);
    if (shot) await page.screenshot({ path: `${ARTIFACTS}${shot}.png`, fullPage: true });
    await Promise.all([page.waitForURL(/\/admin\/connections\/con_[^/]+\/try\/result\/tryr\./), page.getByRole('button', { name: 'Sign in to Example Provider' }).click()]);
  }

  test('sign in, create the connection through the form; its page links Try and Run script', async () => {
    await signInConsolePage(page, srv);
    await page.getByRole('link', { name: 'Create connection' }).click();
    await page.getByLabel('Name', { exact: true }).fill('example');
    await page.getByLabel('Authorization URL').fill(`${provider.url}/authorize`);
    await page.getByLabel('Token URL').fill(`${provider.url}/token`);
    await page.getByLabel('Scope', { exact: true }).fill('profile email');
    await page.getByLabel('Client ID').fill('brokerid');
    await page.getByLabel('Client Secret').fill(SECRET);
    await page.getByLabel('Fetch User Profile Script').fill(userinfoScript(`${provider.url}/userinfo`));
    await Promise.all([page.waitForURL('**/admin/connections/con_*?saved=1'), page.getByRole('button', { name: 'Create' }).click()]);
    connectionUrl = page.url().replace(/\?saved=1$/, '');
    const path = new URL(connectionUrl).pathname;
    await expect(page.getByRole('link', { name: 'Try', exact: true }).getAttribute('href')).resolves.toBe(`${path}/try`);
    await expect(page.getByRole('link', { name: 'Run script' }).getAttribute('href')).resolves.toBe(`${path}/run-script`);
    await page.screenshot({ path: `${ARTIFACTS}console-try-connection.png`, fullPage: true });
  });

  test('Try: the provider\'s sign-in page, then the result page with the profile; no user is written', async () => {
    await tryAs('Ada Lovelace', 'ada@example.com', 'console-try-provider-sign-in');
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Success.');
    await expect(page.locator('h1').textContent()).resolves.toBe('Try connection “example”');
    const profile = page.locator('h2', { hasText: 'Profile the script returned' }).locator('xpath=following-sibling::pre[1]');
    await expect(profile.textContent()).resolves.toContain('"email": "ada@example.com"');
    await expect(profile.textContent()).resolves.toContain('"name": "Ada Lovelace"');
    await expect(page.locator('table.kv').first().textContent()).resolves.toMatch(/user_id\s*oauth2\|example\|u[0-9a-f]{16}\s*\(new user\)/);
    // Still in the console: its bar names the signed-in client.
    await expect(page.locator('.console-bar').textContent()).resolves.toContain('Signed in as');
    await page.screenshot({ path: `${ARTIFACTS}console-try-success.png`, fullPage: true });
    const html = await page.content();
    expect(provider.issued.length).toBeGreaterThanOrEqual(2);
    for (const secret of [SECRET, ...provider.issued]) expect(html).not.toContain(secret);
    expect((await srv.api('/users')).body).toEqual([]);
  });

  test('break the client secret through the form, Try again: the token request failed with invalid_client, and the fix', async () => {
    await page.goto(connectionUrl);
    await page.getByLabel('Client Secret').fill(WRONG);
    await Promise.all([page.waitForURL('**?saved=1'), page.getByRole('button', { name: 'Save' }).click()]);
    await tryAs('Ada Lovelace', 'ada@example.com');
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('Failed at: token request.');
    const why = await page.locator('section').first().textContent();
    expect(why).toContain('The provider did not accept the client credentials at the token endpoint.');
    expect(why).toContain('Check that Client ID and Client Secret are those of the app registered at the provider');
    expect(why).toContain('invalid_client');
    await expect(page.getByRole('table', { name: 'Token request' }).textContent()).resolves.toMatch(/Response status\s*401/);
    await expect(page.getByRole('link', { name: 'Back to the connection' }).getAttribute('href')).resolves.toBe(new URL(connectionUrl).pathname);
    await page.screenshot({ path: `${ARTIFACTS}console-try-invalid-client.png`, fullPage: true });
    const html = await page.content();
    for (const secret of [SECRET, WRONG, ...provider.issued]) expect(html).not.toContain(secret);
    expect((await srv.api('/users')).body).toEqual([]);
  });

  test('Run script opens from the connection page with the saved script, in a console form', async () => {
    await page.goto(connectionUrl);
    await page.getByRole('link', { name: 'Run script' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Run script: “example”');
    await expect(page.getByLabel('Fetch User Profile Script').inputValue()).resolves.toContain(`${provider.url}/userinfo`);
    await expect(page.locator('form.inline input[name="_csrf"]').count()).resolves.toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}console-try-run-script.png`, fullPage: true });
  });
});
