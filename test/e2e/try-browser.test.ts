import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Browser, BrowserContext } from 'playwright-core';
import { browserSkipReason, launchBrowser } from '../support/browser.ts';
import { createConnection, userinfoScript } from '../support/connections.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startGeneric, type Upstream } from '../support/upstreams/index.ts';
import { secretsOf, signInConsolePage } from './try-support.ts';

// Page-side code runs in the browser; the one DOM shape it touches (no DOM lib in this project).
interface PageGlobals { document: { documentElement: { scrollWidth: number } }; innerWidth: number }

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const skip = browserSkipReason();
if (skip) console.warn(`try browser tests: ${skip}`);
const maybe = skip ? describe.skip : describe;
const SECRET = 'browser-up-secret-0123456789';

maybe('Try connection in a real browser', () => {
  let srv: TestServer;
  let up: Upstream;
  let browser: Browser;
  const options = (secret: string) => ({
    authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up', client_secret: secret, scope: 'openid profile email',
    token_endpoint_auth_method: 'client_secret_basic', scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) },
  });
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    srv = await startTestServer();
    up = await startGeneric({ clientId: 'up', clientSecret: SECRET, redirectUris: [`${srv.issuer}login/callback`] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await up?.close();
    await srv?.close();
  });

  /** A browser context signed in to the console with the admin client (its session cookie). */
  async function adminContext(width = 1280): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    await signInConsolePage(await context.newPage(), srv);
    return context;
  }

  test('success, then a broken secret: the result pages, with screenshots', async () => {
    const good = await createConnection(srv, 'browser-ok', options(SECRET));
    const context = await adminContext();
    const page = await context.newPage();
    await page.goto(`${srv.url}/admin/connections/${good.id}/try`);
    await page.waitForURL(/\/try\/result\//);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Success.');
    await expect(page.locator('h1').textContent()).resolves.toBe('Try connection “browser-ok”');
    await page.screenshot({ path: `${ARTIFACTS}try-success.png`, fullPage: true });

    const broken = await createConnection(srv, 'browser-broken', options('not-the-secret-987654321'));
    await page.goto(`${srv.url}/admin/connections/${broken.id}/try`);
    await page.waitForURL(/\/try\/result\//);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Failed at: token request.');
    await expect(page.locator('section').textContent()).resolves.toContain('Client Secret');
    await page.screenshot({ path: `${ARTIFACTS}try-token-failure.png`, fullPage: true });
    const html = await page.content();
    for (const secret of secretsOf(up, [SECRET, 'not-the-secret-987654321'])) expect(html).not.toContain(secret);
    expect((await srv.api('/users')).body).toEqual([]);
    await context.close();
  });

  test('the result page fits a 390 px phone', async () => {
    const { id } = await createConnection(srv, 'browser-phone', options(SECRET));
    const context = await adminContext(390);
    const page = await context.newPage();
    await page.goto(`${srv.url}/admin/connections/${id}/try`);
    await page.waitForURL(/\/try\/result\//);
    const overflow = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return g.document.documentElement.scrollWidth - g.innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${ARTIFACTS}try-success-phone.png`, fullPage: true });
    await context.close();
  });
});
