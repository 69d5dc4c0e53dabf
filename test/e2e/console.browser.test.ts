import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { authorizationRequest, registerApp, type TestApp } from '../support/app.ts';
import { browserSkipReason, launchBrowser } from '../support/browser.ts';
import { userinfoScript } from '../support/connections.ts';
import { ADMIN_ID, ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.ts';
import { startCallbackRecorder, startGeneric, type CallbackRecorder, type Upstream } from '../support/upstreams/index.ts';

// Page-side code runs in the browser; the one DOM shape it touches (no DOM lib in this project).
interface PageGlobals {
  navigator: { clipboard: { readText(): Promise<string> } };
  document: { documentElement: { scrollWidth: number }; querySelectorAll(selector: string): Iterable<{ id: string; labels: { length: number; 0?: { textContent: string | null } } }> };
}

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const skip = browserSkipReason();
if (skip) console.warn(`console browser tests: ${skip}`);
const maybe = skip ? describe.skip : describe;

/**
 * The admin console driven in headless Chromium as an admin would: sign in, create a
 * connection through the form against a loopback provider, see it listed, edit it, enable an
 * app, sign a user in through it, find the user, block them, read the logs. Each page is
 * screenshotted at desktop width and at 390 px, where nothing may scroll sideways.
 */
maybe('admin console in a real browser', () => {
  let srv: TestServer;
  let up: Upstream;
  let app: TestApp;
  let appServer: CallbackRecorder;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let connectionPath = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    appServer = await startCallbackRecorder('/app/callback');
    srv = await startTestServer();
    up = await startGeneric({ clientId: 'up', clientSecret: 'up-secret', redirectUris: [`${srv.issuer}login/callback`], scopes: 'any' });
    app = await registerApp(srv, { name: 'Shop' }, appServer.redirectUri);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(5000);
  }, 30_000);
  afterAll(async () => {
    // In order: the browser first (its pages hold connections to the servers).
    for (const part of [browser, up, srv, appServer]) await part?.close();
  });

  /** Screenshots the current page at desktop width and at 390 px; checks every field has a visible label and the phone layout does not overflow. */
  async function shoot(name: string): Promise<void> {
    const unlabelled = await page.evaluate(() => [...(globalThis as unknown as PageGlobals).document.querySelectorAll('input:not([type=hidden]), select, textarea')]
      .filter((field) => !field.labels.length || !field.labels[0]?.textContent?.trim()).map((field) => field.id || '(no id)'));
    expect(unlabelled).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}console-${name}-desktop.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${ARTIFACTS}console-${name}-390.png`, fullPage: true });
    const width = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  test('sign in with the admin client (keyboard only)', async () => {
    await page.goto(`${srv.issuer}admin/`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await shoot('sign-in');
    await page.getByLabel('Client ID').focus();
    await page.keyboard.type(ADMIN_ID);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN_SECRET);
    await Promise.all([page.waitForURL('**/admin/connections'), page.keyboard.press('Enter')]);
    await expect(page.getByRole('heading', { name: 'Connections' }).count()).resolves.toBe(1);
  });

  test('create a connection through the form; it is listed', async () => {
    await page.getByRole('link', { name: 'Create connection' }).click();
    await page.getByLabel('Name', { exact: true }).fill('acme');
    await page.getByLabel('Display name').fill('Acme');
    await page.getByLabel('Authorization URL').fill(`${up.url}/authorize`);
    await page.getByLabel('Token URL').fill(`${up.url}/token`);
    await page.getByLabel('Scope', { exact: true }).fill('openid profile');
    await page.getByLabel('Separate scopes using a space').check();
    await page.getByLabel('Client ID').fill('up');
    await page.getByLabel('Client Secret').fill('up-secret');
    await page.getByLabel('Fetch User Profile Script').fill(userinfoScript(`${up.url}/userinfo`));
    await page.getByLabel('Custom Headers').fill('{"not json');
    await page.getByText('Advanced: provider quirks').click();
    await page.getByLabel('Token endpoint authentication').selectOption('client_secret_basic');
    await shoot('connection-new');
    await page.getByRole('button', { name: 'Create' }).click();
    // A bad field is named, and nothing the admin typed is lost (except the secret, which is never echoed).
    await expect(page.getByRole('alert').textContent()).resolves.toContain('options.customHeaders: not valid JSON');
    await expect(page.getByLabel('Authorization URL').inputValue()).resolves.toBe(`${up.url}/authorize`);
    await expect(page.getByLabel('Client Secret').inputValue()).resolves.toBe('');
    expect((await srv.api('/connections')).body).toEqual([]);
    await page.getByLabel('Custom Headers').fill('{"Accept": "application/json"}');
    await page.getByLabel('Client Secret').fill('up-secret');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL('**/admin/connections/con_*?saved=1');
    connectionPath = new URL(page.url()).pathname;
    await expect(page.getByRole('status').textContent()).resolves.toContain('Saved');
    await expect(page.getByLabel(/Callback URL/).inputValue()).resolves.toBe(`${srv.issuer}login/callback`);
    await page.getByRole('link', { name: 'Connections' }).first().click();
    const row = page.getByRole('row', { name: /acme/ });
    await expect(row.textContent()).resolves.toMatch(/acme\s*Acme\s*none\s*No logins yet/);
    await shoot('connections');
  });

  test('edit it: the form shows the saved values, the secret stays write-only and is kept', async () => {
    await page.goto(`${srv.issuer}${connectionPath.slice(1)}`);
    await expect(page.getByLabel('Scope', { exact: true }).inputValue()).resolves.toBe('openid profile');
    await expect(page.getByLabel('Client Secret').inputValue()).resolves.toBe('');
    await expect(page.locator('#secret-help').textContent()).resolves.toContain('leave empty to keep it');
    expect(await page.content()).not.toContain('up-secret');
    // Scope: edit, then reset to the saved value (progressive JS), then edit for real.
    await page.getByLabel('Scope', { exact: true }).fill('something else');
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect(page.getByLabel('Scope', { exact: true }).inputValue()).resolves.toBe('openid profile');
    // Copy buttons put the exact text on the clipboard.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(srv.issuer).origin });
    await page.getByRole('button', { name: 'Copy all' }).click();
    await expect(page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText())).resolves.toBe('openid profile');
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect(page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText())).resolves.toBe(`${srv.issuer}login/callback`);
    await page.getByLabel('Scope', { exact: true }).fill('openid profile email');
    await page.getByLabel('Display name').fill('Acme Corp');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL('**?saved=1');
    const stored = (await srv.api(`/connections/${connectionPath.split('/').at(-1)}`)).body as { display_name: string; options: Record<string, unknown> };
    expect(stored.display_name).toBe('Acme Corp');
    expect(stored.options).toMatchObject({ scope: 'openid profile email', useOauthSpecScope: true, token_endpoint_auth_method: 'client_secret_basic', customHeaders: { Accept: '********' } });
    await shoot('connection-edit');
  });

  test('enable an app; a user signs in through the connection (the kept secret works)', async () => {
    await page.getByRole('button', { name: 'Enable for Shop' }).click();
    await expect(page.locator('#applications').textContent()).resolves.toMatch(/Shop\s*enabled/);
    const user = await browser.newContext();
    const tab = await user.newPage();
    const { url } = await authorizationRequest(app, { connection: 'acme' });
    await Promise.all([tab.waitForURL(`${app.redirectUri}**`), tab.goto(url)]);
    expect(new URL(tab.url()).searchParams.get('code')).toBeTruthy();
    await user.close();
  });

  test('users of the connection, the user page, block', async () => {
    await page.getByRole('link', { name: 'Users' }).click();
    await shoot('users');
    await page.getByRole('row', { name: /oauth2\|acme\|/ }).getByRole('link').click();
    await expect(page.getByRole('heading', { level: 2, name: 'Identities' }).count()).resolves.toBe(1);
    await expect(page.getByRole('row', { name: /acme/ }).count()).resolves.toBe(1);
    await shoot('user');
    const userId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
    // Block goes through the users service's update, the code PATCH /api/v2/users/:id runs.
    await page.getByRole('button', { name: 'Block' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'The user is blocked' }).count()).resolves.toBe(1);
    expect((await srv.api(`/users/${encodeURIComponent(userId)}`)).body).toMatchObject({ blocked: true });
    await page.getByRole('button', { name: 'Unblock' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'The user is unblocked' }).count()).resolves.toBe(1);
    expect((await srv.api(`/users/${encodeURIComponent(userId)}`)).body).toMatchObject({ blocked: false });
  });

  test('read the logs, filtered by type', async () => {
    await page.getByRole('link', { name: 'Logs' }).first().click();
    await page.getByLabel('Type').selectOption('sapi');
    await page.getByRole('button', { name: 'Filter' }).click();
    // The writer flushes off the request path: reload until the console's writes show.
    for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
      if (await page.getByRole('row', { name: /Update a connection/ }).count()) break;
      await page.waitForTimeout(200);
      await page.reload();
    }
    await expect(page.getByRole('row', { name: /Create a connection/ }).count()).resolves.toBe(1);
    await expect(page.getByRole('row', { name: /Update a connection/ }).count()).resolves.toBeGreaterThanOrEqual(2);
    await expect(page.getByRole('row', { name: /seccft/ }).count()).resolves.toBe(0);
    await shoot('logs');
  });

  test('delete asks first, naming the users that go with it', async () => {
    await page.goto(`${srv.issuer}${connectionPath.slice(1)}`);
    await page.getByRole('link', { name: 'Delete connection…' }).click();
    await expect(page.getByRole('note').textContent()).resolves.toMatch(/1\s*user that only this connection knows/);
    await shoot('connection-delete');
    await page.getByRole('button', { name: 'Delete acme' }).click();
    await page.waitForURL('**/admin/connections?deleted=1');
    expect((await srv.api('/connections')).body).toEqual([]);
    expect((await srv.api('/users')).body).toEqual([]);
  });
});
