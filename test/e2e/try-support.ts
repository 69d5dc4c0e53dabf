import type { Page as BrowserPage } from 'playwright-core';
import type { Upstream } from '../support/upstreams/index.ts';
import { ADMIN_ID, ADMIN_SECRET, type TestServer } from '../support/server.ts';
import { UserAgent, type Page } from '../support/user-agent.ts';

/**
 * A browser signed in to the console with a Management API client (the admin client by
 * default): it holds the session cookie; `csrf` is the session's form token.
 */
export async function consoleBrowser(srv: TestServer, clientId = ADMIN_ID, secret = ADMIN_SECRET): Promise<{ ua: UserAgent; csrf: string }> {
  const ua = new UserAgent();
  const signIn = await ua.request(`${srv.url}/admin/sign-in`, { form: { client_id: clientId, client_secret: secret }, headers: { origin: new URL(srv.url).origin } });
  if (signIn.status !== 303) throw new Error(`console sign-in failed: ${signIn.status} ${signIn.text.slice(0, 300)}`);
  // Any signed-in page carries the token (its sign-out form), even a 403 for a client that cannot read connections.
  const page = await ua.request(`${srv.url}/admin/connections`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!csrf) throw new Error(`console connections page without a session: ${page.status}`);
  return { ua, csrf };
}

/** Signs a browser page in to the console through its sign-in form (the admin client by default). */
export async function signInConsolePage(page: BrowserPage, srv: TestServer, clientId = ADMIN_ID, secret = ADMIN_SECRET): Promise<void> {
  await page.goto(`${srv.url}/admin/sign-in`);
  await page.getByLabel('Client ID').fill(clientId);
  await page.getByLabel('Client Secret').fill(secret);
  await Promise.all([page.waitForURL('**/admin/connections'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Drives a "Try" from the console as the admin's browser (signed in): start, the provider's pages, the result page. */
export async function runTry(srv: TestServer, connectionId: string, signedIn?: UserAgent): Promise<{ page: Page; ua: UserAgent; resultUrl: string }> {
  const ua = signedIn ?? (await consoleBrowser(srv)).ua;
  const start = await ua.request(`${srv.url}/admin/connections/${connectionId}/try`);
  if (start.status !== 303 || !start.location) throw new Error(`the try did not start: ${start.status} ${start.text.slice(0, 500)}`);
  const resultPrefix = `${srv.issuer}admin/connections/${connectionId}/try/result/`;
  const { stoppedAt, page } = await ua.follow(start.location, resultPrefix);
  if (!stoppedAt) throw new Error(`the try did not reach its result page: ${page?.status} ${page?.url}\n${page?.text.slice(0, 1500)}`);
  // The provider's redirect back is a top-level GET: the SameSite=Lax session cookie goes with it.
  return { page: await ua.request(stoppedAt), ua, resultUrl: stoppedAt };
}

/** Every secret and token one run could leak: the connection's, the upstream's issued tokens and codes, the states sent upstream. */
export function secretsOf(up: Upstream, connectionSecrets: string[]): string[] {
  const out = [...connectionSecrets];
  for (const t of up.tokensIssued) out.push(t.accessToken, ...(t.refreshToken ? [t.refreshToken] : []));
  for (const c of up.codesIssued) out.push(c.code, ...(c.challenge ? [c.challenge.value] : []));
  for (const r of up.requests) {
    if (r.query['state']) out.push(r.query['state']);
    if (typeof r.body['code_verifier'] === 'string') out.push(r.body['code_verifier']);
    if (typeof r.body['code'] === 'string') out.push(r.body['code']);
  }
  return [...new Set(out.filter(Boolean))];
}

/** The text of a page with tags removed and entities decoded enough to read assertions against. */
export const textOf = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/&#34;|&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/\s+/g, ' ');
