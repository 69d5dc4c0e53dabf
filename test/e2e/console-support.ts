import type { TestServer } from '../support/server.ts';

/** A console user agent over plain HTTP: one cookie, the last page's CSRF token, same-origin form posts. */
export interface ConsoleAgent {
  cookie: string | undefined;
  csrf: string;
  get(path: string): Promise<{ status: number; html: string; location: string | null }>;
  post(path: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<{ status: number; html: string; location: string | null }>;
}

/** The console's base URL on a test server. */
export const consoleUrl = (srv: TestServer, path = ''): string => `${srv.issuer}admin/${path}`;

/** Starts an agent; sign it in with `signIn`. */
export function consoleAgent(srv: TestServer): ConsoleAgent {
  const agent: ConsoleAgent = {
    cookie: undefined,
    csrf: '',
    async get(path) {
      const res = await fetch(consoleUrl(srv, path), { redirect: 'manual', headers: agent.cookie ? { cookie: agent.cookie } : {} });
      return remember(res);
    },
    async post(path, fields, headers = {}) {
      const res = await fetch(consoleUrl(srv, path), {
        method: 'POST', redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(srv.issuer).origin, ...(agent.cookie ? { cookie: agent.cookie } : {}), ...headers },
        body: new URLSearchParams(fields).toString(),
      });
      return remember(res);
    },
  };
  async function remember(res: Response) {
    const set = res.headers.getSetCookie().at(-1);
    if (set) {
      const pair = set.split(';')[0] ?? '';
      agent.cookie = pair.endsWith('=') ? undefined : pair;
    }
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) agent.csrf = token;
    return { status: res.status, html, location: res.headers.get('location') };
  }
  return agent;
}

/** Signs the agent in with a client's credentials and loads the connections page (for its CSRF token). */
export async function signIn(agent: ConsoleAgent, clientId: string, secret: string): Promise<void> {
  const res = await agent.post('sign-in', { client_id: clientId, client_secret: secret });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${res.html.slice(0, 300)}`);
  const page = await agent.get('connections');
  if (page.status !== 200) throw new Error(`connections page: ${page.status}`);
}
