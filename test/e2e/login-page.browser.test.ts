import { mkdirSync } from 'node:fs';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { browserSkipReason, launchBrowser } from '../support/browser.ts';
import { registerApp, type TestApp } from '../support/app.ts';
import { createConnection, patchConnection, userinfoScript } from '../support/connections.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startCallbackRecorder, startGeneric, type CallbackRecorder, type Upstream } from '../support/upstreams/index.ts';

// Page-side code runs in the browser; these are the few DOM shapes it touches (no DOM lib in this project).
interface PageGlobals { document: { activeElement: { textContent: string | null } | null; documentElement: { scrollWidth: number } }; innerWidth: number }

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const skip = browserSkipReason();
if (skip) console.warn(`login page browser tests: ${skip}`);
const maybe = skip ? describe.skip : describe;

// A small square icon as a data: URL (CSP allows data: images).
const ICON = 'data:image/svg+xml;base64,' + Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect width="24" height="24" rx="5" fill="#e4572e"/><text x="12" y="17" font-size="14" text-anchor="middle" fill="#fff" font-family="sans-serif">A</text></svg>').toString('base64');

// A display name as long as real ones get: "Continue with " makes it longer still.
const LONG_LABEL = 'Sign in with Microsoft Entra ID';

/** Per button label: how many line boxes its text takes, and whether anything overflows its button or the page. */
interface LabelLayout { text: string; lines: number; overflows: boolean }
async function labelLayouts(page: import('playwright-core').Page): Promise<{ labels: LabelLayout[]; pageOverflows: boolean }> {
  return page.evaluate(() => {
    // Page-side: the DOM is typed loosely here (no DOM lib in this project).
    interface Rect { top: number; height: number }
    interface El { textContent: string | null; scrollWidth: number; clientWidth: number; querySelector(s: string): El | null; getBoundingClientRect(): Rect & { right: number } }
    const g = globalThis as unknown as {
      document: { querySelectorAll(s: string): ArrayLike<El>; documentElement: { scrollWidth: number }; createRange(): { selectNodeContents(n: El): void; getClientRects(): ArrayLike<Rect> } };
      innerWidth: number;
    };
    const labels = Array.from(g.document.querySelectorAll('ul.buttons button')).map((button) => {
      const label = button.querySelector('.label')!;
      const range = g.document.createRange();
      range.selectNodeContents(label);
      // One rect per line fragment; rects on the same line share a top.
      const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.height > 0).map((r) => Math.round(r.top)));
      const overflows = button.scrollWidth > button.clientWidth || label.getBoundingClientRect().right > button.getBoundingClientRect().right;
      return { text: (label.textContent ?? '').trim(), lines: tops.size, overflows };
    });
    return { labels, pageOverflows: g.document.documentElement.scrollWidth > g.innerWidth };
  });
}

maybe('login page in a real browser', () => {
  let srv: TestServer;
  let up: Upstream;
  let app: TestApp;
  let browser: Browser;
  let acmeId: string;
  let appServer: CallbackRecorder;
  beforeAll(async () => {
    appServer = await startCallbackRecorder('/app/callback');
    mkdirSync(ARTIFACTS, { recursive: true });
    srv = await startTestServer();
    up = await startGeneric({ clientId: 'up', clientSecret: 'up-secret', redirectUris: [`${srv.issuer}login/callback`], scopes: 'any' });
    app = await registerApp(srv, {}, appServer.redirectUri);
    const options = {
      authorizationURL: `${up.url}/authorize`, tokenURL: `${up.url}/token`, client_id: 'up', client_secret: 'up-secret',
      token_endpoint_auth_method: 'client_secret_basic', scripts: { fetchUserProfile: userinfoScript(`${up.url}/userinfo`) },
    };
    acmeId = (await createConnection(srv, 'acme', { ...options, icon_url: ICON }, { display_name: 'Acme', enabled_clients: [app.clientId] })).id;
    await createConnection(srv, 'globex', options, { display_name: 'Globex', enabled_clients: [app.clientId] });
    await createConnection(srv, 'entra', options, { display_name: LONG_LABEL, enabled_clients: [app.clientId] });
    await createConnection(srv, 'hidden', options, { enabled_clients: [app.clientId], show_as_button: false });
    await createConnection(srv, 'elsewhere', options, { enabled_clients: [] });
    browser = await launchBrowser();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await up?.close();
    await srv?.close();
    await appServer?.close();
  });

  async function authorizationUrl(verifier: string): Promise<string> {
    return client.buildAuthorizationUrl(app.config, {
      redirect_uri: app.redirectUri, scope: 'openid profile email', state: 'st-1',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }).toString();
  }

  test('shows one accessible button per enabled connection; keyboard activation completes the flow', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const verifier = client.randomPKCECodeVerifier();
    await page.goto(await authorizationUrl(verifier));
    await expect(page.getByRole('heading', { name: 'Sign in' }).count()).resolves.toBe(1);
    const acme = page.getByRole('button', { name: 'Continue with Acme' });
    await expect(acme.count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: 'Continue with Globex' }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: /hidden|elsewhere/ }).count()).resolves.toBe(0);
    const icon = acme.locator('img');
    await expect(icon.getAttribute('alt')).resolves.toBe('Acme icon');
    await expect(icon.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete
      && (img as unknown as { naturalWidth: number }).naturalWidth > 0)).resolves.toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}login-desktop.png`, fullPage: true });

    // Keyboard only: Tab to the first button, Enter.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.textContent ?? '');
    expect(focused.replace(/\s+/g, ' ').trim()).toBe('Continue with Acme');
    await Promise.all([page.waitForURL(`${app.redirectUri}**`), page.keyboard.press('Enter')]);
    const tokens = await client.authorizationCodeGrant(app.config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: 'st-1' });
    expect(tokens.claims()?.sub).toBe('oauth2|acme|generic|1001');
    await context.close();
  });

  test('at desktop width every button label stays on one line; on a phone a long one may wrap but nothing overflows', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(await authorizationUrl(client.randomPKCECodeVerifier()));
    const desktop = await labelLayouts(page);
    expect(desktop.labels.map((l) => l.text)).toContain(`Continue with ${LONG_LABEL}`);
    for (const label of desktop.labels) expect(label).toEqual({ text: label.text, lines: 1, overflows: false });
    expect(desktop.pageOverflows).toBe(false);
    await page.screenshot({ path: `${ARTIFACTS}login-desktop-long-label.png`, fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    const phone = await labelLayouts(page);
    expect(phone.labels.length).toBe(desktop.labels.length);
    for (const label of phone.labels) expect(label.overflows).toBe(false);
    expect(phone.pageOverflows).toBe(false);
    await page.screenshot({ path: `${ARTIFACTS}login-phone-long-label.png`, fullPage: true });
    await context.close();
  });

  test('looks right on a phone, and a PATCH of display_name/icon_url shows on the next load', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
    const page = await context.newPage();
    await page.goto(await authorizationUrl(client.randomPKCECodeVerifier()));
    const box = await page.getByRole('button', { name: 'Continue with Acme' }).boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThanOrEqual(44);
    const overflow = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return g.document.documentElement.scrollWidth > g.innerWidth;
    });
    expect(overflow).toBe(false);
    await page.screenshot({ path: `${ARTIFACTS}login-phone.png`, fullPage: true });

    const current = (await srv.api(`/connections/${acmeId}`)).body as { options: Record<string, unknown> };
    await patchConnection(srv, acmeId, { display_name: 'Acme Corp', options: { ...current.options, icon_url: `${up.url}/missing-icon.png` } });
    await page.reload();
    await expect(page.getByRole('button', { name: 'Continue with Acme Corp' }).count()).resolves.toBe(1);
    await expect(page.locator('button[data-connection="acme"] img').getAttribute('src')).resolves.toBe(`${up.url}/missing-icon.png`);
    await context.close();
  });
});
