import type { Upstream } from '../support/upstreams/index.ts';
import type { TestServer } from '../support/server.ts';
import { UserAgent, type Page } from '../support/user-agent.ts';

/** Drives a "Try" from the console as the admin's browser: start, the provider's pages, the result page. */
export async function runTry(srv: TestServer, connectionId: string, token?: string): Promise<{ page: Page; ua: UserAgent; resultUrl: string }> {
  const bearer = { authorization: `Bearer ${token ?? (await srv.adminToken())}` };
  const ua = new UserAgent();
  const start = await ua.request(`${srv.url}/admin/connections/${connectionId}/try`, { headers: bearer });
  if (start.status !== 303 || !start.location) throw new Error(`the try did not start: ${start.status} ${start.text.slice(0, 500)}`);
  const resultPrefix = `${srv.issuer}admin/connections/${connectionId}/try/result/`;
  const { stoppedAt, page } = await ua.follow(start.location, resultPrefix);
  if (!stoppedAt) throw new Error(`the try did not reach its result page: ${page?.status} ${page?.url}\n${page?.text.slice(0, 1500)}`);
  return { page: await ua.request(stoppedAt, { headers: bearer }), ua, resultUrl: stoppedAt };
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
