import { responseChecker, type ResponseChecker } from './openapi-check.ts';

/** The shape of `fetch`, as the tests and the Auth0 SDK call it. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Per watched origin: its checker, built once from the document that origin serves. */
const watched = new Map<string, { load: () => Promise<Record<string, unknown>>; checker?: Promise<ResponseChecker> }>();
const HOOKED = Symbol.for('brokerid.openapi-check');

/** Watches a test server: every Management API answer from `origin` is checked against the document `load` fetches. */
export function watchOrigin(origin: string, load: () => Promise<Record<string, unknown>>): void {
  watched.set(new URL(origin).origin, { load });
}

/** Checks one answer (a clone is read; the caller's body stays unread). A mismatch throws with the path and what is wrong. */
async function checkAnswer(req: Request, res: Response): Promise<void> {
  const url = new URL(req.url);
  const entry = watched.get(url.origin);
  if (!entry || !url.pathname.includes('/api/v2') || req.method === 'HEAD' || req.method === 'OPTIONS') return;
  entry.checker ??= entry.load().then(responseChecker);
  const problem = (await entry.checker).check(req.method, url, res.status, await res.clone().text());
  if (problem) throw new Error(`OpenAPI check failed: ${problem}`);
}

/** `inner`, with every answer from a watched origin checked against its OpenAPI document. */
export function checkedFetch(inner: FetchLike): FetchLike {
  return async (input, init) => {
    const req = new Request(input, init);
    const res = await inner(input, init);
    await checkAnswer(req, res);
    return res;
  };
}

/** Replaces this test file's global fetch with the checked one (once); the unchecked one is returned for loading documents. */
export function hookGlobalFetch(): FetchLike {
  const current = globalThis.fetch as FetchLike & { [HOOKED]?: FetchLike };
  if (current[HOOKED]) return current[HOOKED];
  const original = current.bind(globalThis);
  const hooked = Object.assign(checkedFetch(original), { [HOOKED]: original });
  globalThis.fetch = hooked as typeof globalThis.fetch;
  return original;
}

/** Loads `<base>/api/v2/openapi.json` with an unchecked fetch. */
export function documentLoader(fetchImpl: FetchLike, base: string): () => Promise<Record<string, unknown>> {
  return async () => {
    const res = await fetchImpl(`${base.replace(/\/$/, '')}/api/v2/openapi.json`);
    if (res.status !== 200) throw new Error(`OpenAPI check: ${base}api/v2/openapi.json answered ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  };
}
