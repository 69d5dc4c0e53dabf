import supertest from 'supertest';
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

/** What is wrong with one answer from a watched origin, or undefined (also for origins and methods not checked). */
async function problemOf(method: string, href: string, status: number, text: () => Promise<string> | string): Promise<string | undefined> {
  const url = new URL(href);
  const entry = watched.get(url.origin);
  if (!entry || !url.pathname.includes('/api/v2') || method === 'HEAD' || method === 'OPTIONS') return undefined;
  entry.checker ??= entry.load().then(responseChecker);
  const problem = (await entry.checker).check(method, url, status, await text());
  return problem && `OpenAPI check failed: ${problem}`;
}

/** Checks one answer (a clone is read; the caller's body stays unread). A mismatch throws with the path and what is wrong. */
async function checkAnswer(req: Request, res: Response): Promise<void> {
  const problem = await problemOf(req.method, req.url, res.status, () => res.clone().text());
  if (problem) throw new Error(problem);
}

interface SupertestLike { method: string; url: string }
type Assert = (this: SupertestLike, err: unknown, res: { status: number; text?: string } | undefined, fn?: (err: unknown, res: unknown) => void) => void;

/** Makes supertest (this file's copy) check every answer before its own assertions: a mismatch is the request's error. */
export function hookSupertest(): void {
  const proto = (supertest as unknown as { Test: { prototype: { assert: Assert & { [HOOKED]?: true } } } }).Test.prototype;
  if (proto.assert[HOOKED]) return;
  const original = proto.assert;
  const assert: Assert = function (this: SupertestLike, err, res, fn) {
    if (!res) return original.call(this, err, res, fn);
    problemOf(this.method, this.url, res.status, () => res.text ?? '').then(
      (problem) => (problem ? fn?.call(this, new Error(problem), res) : original.call(this, err, res, fn)),
      (loadError: unknown) => fn?.call(this, loadError, res),
    );
  };
  proto.assert = Object.assign(assert, { [HOOKED]: true as const });
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
  hookSupertest();
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
