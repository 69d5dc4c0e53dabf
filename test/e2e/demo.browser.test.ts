/**
 * `npm run demo` driven as a person would: its command from package.json runs as a child
 * process, the test reads the `Open` lines, signs two people in through the example provider in
 * headless Chromium, checks the printed admin credentials, then sends SIGINT and proves that every
 * process of the demo has exited and its temporary store is gone.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, launchBrowser } from '../support/browser.ts';
import { spawnUntil } from '../support/process.ts';
import { clientCredentialsToken } from '../support/server.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const ARTIFACTS = `${ROOT}test-artifacts/`;
const skip = browserSkipReason();
if (skip) console.warn(`demo browser test: ${skip}`);
const maybe = skip ? describe.skip : describe;

interface Demo { child: ChildProcess; output(): string; exited: Promise<number | null>; app: string; consoleUrl: string; adminId: string; adminSecret: string; dataDir: string }

/** Starts package.json's `demo` command on this Node (what `npm run demo` runs) and waits for its Open lines. */
async function startDemo(): Promise<Demo> {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
  const [command, ...args] = (pkg.scripts['demo'] ?? '').split(' ');
  expect(command).toBe('node');
  // Its own process group, so a test can send Ctrl-C to the whole group as a terminal does.
  const { child, output, exited } = await spawnUntil(args, {}, 'Press Ctrl-C', { timeoutMs: 40_000, detached: true });
  const out = output();
  const app = /^Open the example app and sign in: (\S+)$/m.exec(out)?.[1];
  const admin = /^Open the admin console: (\S+)\s+Client ID: (\S+)\s+Client Secret: (\S+)$/m.exec(out);
  const dataDir = /^Demo data \(removed on exit\): (\S+)$/m.exec(out)?.[1];
  if (!app || !admin || !dataDir) throw new Error(`the demo's output lacks its Open or data lines:\n${out}`);
  return { child, output, exited, app, consoleUrl: admin[1]!, adminId: admin[2]!, adminSecret: admin[3]!, dataDir };
}

/** The pid and every live descendant of it, read from /proc. */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* exited while we read */ }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** Alive means present in /proc and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** After a failure: ends the demo's whole process group (a SIGKILLed run.ts could not stop its children) and its store. */
function forceEnd(d: Demo | undefined): void {
  if (!d) return;
  try {
    process.kill(-d.child.pid!, 'SIGKILL');
  } catch { /* already gone */ }
  rmSync(d.dataDir, { recursive: true, force: true });
}

/** Sends the stop signal, then expects a clean exit, no process of `seen` left and the store removed. */
async function stopsCleanly(d: Demo, seen: Set<number>, send: () => void): Promise<void> {
  // run.ts, brokerid and its sandbox process.
  expect(seen.size).toBeGreaterThanOrEqual(3);
  expect(existsSync(d.dataDir)).toBe(true);
  send();
  await expect(d.exited).resolves.toBe(0);
  for (let i = 0; i < 50 && [...seen].some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  expect([...seen].filter(alive)).toEqual([]);
  expect(existsSync(d.dataDir)).toBe(false);
  expect(d.output()).toContain('Demo stopped');
}

maybe('npm run demo in a real browser', () => {
  let demo: Demo | undefined;
  let browser: Browser | undefined;
  const seen = new Set<number>();
  const remember = () => demo && processTree(demo.child.pid!).forEach((p) => seen.add(p));
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    demo = await startDemo();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    forceEnd(demo);
  });

  /** One person's sign-in from the app's home page; resolves what the app shows. */
  async function signIn(page: Page, name: string, email: string, shots: string): Promise<{ sub: string; email: string; payload: Record<string, unknown> }> {
    await page.goto(demo!.app);
    await expect(page.locator('.banner').textContent()).resolves.toContain('DEMO');
    await page.screenshot({ path: `${ARTIFACTS}demo-${shots}-1-app.png`, fullPage: true });
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Example Provider' }).waitFor();
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Email').fill(email);
    await page.screenshot({ path: `${ARTIFACTS}demo-${shots}-2-provider.png`, fullPage: true });
    await page.getByRole('button', { name: 'Sign in to Example Provider' }).click();
    await page.getByRole('heading', { name: 'Signed in' }).waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).origin).toBe(new URL(demo!.app).origin);
    await page.screenshot({ path: `${ARTIFACTS}demo-${shots}-3-signed-in.png`, fullPage: true });
    remember();
    const shown = {
      sub: (await page.locator('[data-field="sub"]').textContent()) ?? '',
      email: (await page.locator('[data-field="email"]').textContent()) ?? '',
      payload: JSON.parse((await page.locator('[data-field="id_token_payload"]').textContent()) ?? '{}') as Record<string, unknown>,
    };
    expect(JSON.parse((await page.locator('[data-field="id_token_header"]').textContent()) ?? '{}')).toMatchObject({ alg: expect.any(String), kid: expect.any(String) });
    return shown;
  }

  test('two people sign in through the example provider; the printed admin credentials work; SIGINT leaves nothing behind', async () => {
    const d = demo!;
    const issuer = d.consoleUrl.replace(/admin\/$/, '');
    expect(d.consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin\/$/);
    expect(d.output()).toMatch(/DEMO/);
    remember();

    // One browser, as a person would use it: sign in, sign out, sign in as someone else.
    const browsing = await browser!.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await browsing.newPage();
    const ada = await signIn(page, 'Ada Lovelace', 'ada@example.com', 'ada');
    expect(ada.sub).toMatch(/^oauth2\|example-provider\|u[0-9a-f]{16}$/);
    expect(ada.email).toBe('ada@example.com');
    expect(ada.payload).toMatchObject({ sub: ada.sub, email: 'ada@example.com', name: 'Ada Lovelace', iss: issuer });
    // Signing out ends the brokerid session too (else it would sign Ada straight back in).
    await page.getByRole('link', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}demo-ada-4-sign-out.png`, fullPage: true });
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).origin).toBe(new URL(d.app).origin);
    const grace = await signIn(page, 'Grace Hopper', 'grace@example.com', 'grace');
    await browsing.close();
    expect(grace.sub).toMatch(/^oauth2\|example-provider\|u[0-9a-f]{16}$/);
    expect(grace.sub).not.toBe(ada.sub);
    expect(grace.payload).toMatchObject({ sub: grace.sub, email: 'grace@example.com', name: 'Grace Hopper' });

    // The console's credentials are a real admin client: the Management API knows the connection and both users.
    const token = await clientCredentialsToken(issuer, d.adminId, d.adminSecret, `${issuer}api/v2/`);
    const users = await fetch(`${issuer}api/v2/users`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json()) as Array<{ user_id: string }>;
    expect(users.map((u) => u.user_id).sort()).toEqual([ada.sub, grace.sub].sort());
    const context = await browser!.newContext();
    const consolePage = await context.newPage();
    await consolePage.goto(d.consoleUrl);
    await consolePage.screenshot({ path: `${ARTIFACTS}demo-console.png`, fullPage: true });
    await context.close();

    remember();
    await stopsCleanly(d, seen, () => d.child.kill('SIGINT'));
  }, 120_000);
});

// No browser needed here: these run wherever the demo can.
describe('stopping npm run demo', () => {
  test.each([
    ['SIGTERM to the demo', (d: Demo) => d.child.kill('SIGTERM')],
    ['Ctrl-C to its whole process group, as a terminal sends it', (d: Demo) => process.kill(-d.child.pid!, 'SIGINT')],
  ])('%s stops every process and removes the store', async (_how, send) => {
    const d = await startDemo();
    try {
      const seen = new Set(processTree(d.child.pid!));
      await stopsCleanly(d, seen, () => send(d));
    } finally {
      forceEnd(d);
    }
  }, 60_000);
});
