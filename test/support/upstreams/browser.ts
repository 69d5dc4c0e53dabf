/** Test-side helpers for driving emulators: a recording callback endpoint and a client that can set Host. */
import { request } from 'node:http';
import { reply, serve } from './base/http.ts';
import type { RecordedRequest } from './base/types.ts';

export interface CallbackRecorder {
  /** Full redirect URI to register, e.g. http://127.0.0.1:PORT/login/callback. */
  redirectUri: string;
  hits: RecordedRequest[];
  close(): Promise<void>;
}

/** A stand-in for our server's `/login/callback`: records every arrival and answers 200. */
export async function startCallbackRecorder(path = '/login/callback'): Promise<CallbackRecorder> {
  const hits: RecordedRequest[] = [];
  const served = await serve({ routes: [{ method: 'GET,POST', path, handle: () => reply(200, 'callback reached', 'text/plain') }], faults: {}, requests: hits });
  return { redirectUri: `${served.url}${path}`, hits, close: served.close };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** HTTP/1.1 request with an explicit Host header (fetch ignores one), for Host-routed emulators. */
export function send(url: string, init: { method?: string; host?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: { ...init.headers, ...(init.host ? { host: init.host } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
