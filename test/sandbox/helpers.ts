import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from '@jest/globals';
import { createScriptRunner } from '../../src/sandbox/index.ts';
import type { SandboxLimits, ScriptRunner } from '../../src/sandbox/types.ts';

/** Limits for tests: short deadlines, loopback allowed (the "provider" is a local server). */
export const testLimits = (overrides: Partial<SandboxLimits> = {}): SandboxLimits => ({
  timeoutMs: 1000,
  memoryMb: 32,
  maxRequests: 5,
  maxResponseBytes: 100_000,
  egress: { allowInsecure: true, timeoutMs: 5000, maxBytes: 100_000 },
  ...overrides,
});

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback upstream that imitates a provider's userinfo endpoint and a few misbehaviours. */
export interface Upstream {
  base: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0];
      const token = (req.headers.authorization ?? '').replace(/^Bearer\s*/, '');
      if (path === '/never') return;
      if (path === '/big') return void res.end('z'.repeat(200_000));
      if (path === '/medium') return void res.end('m'.repeat(30_000));
      if (path === '/echo') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
      }
      if (path === '/slow') return void setTimeout(() => res.end(JSON.stringify({ id: token })), 20);
      if (path === '/slower') return void setTimeout(() => res.end('{}'), 600);
      if (token === '') {
        res.writeHead(401, { 'content-type': 'application/json' });
        return void res.end('{"error":"missing token"}');
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' });
      res.end(JSON.stringify({ account: { uuid: `uuid-${token}`, name: { first_name: 'Ada', last_name: 'Lovelace' }, email: 'ada@example.com' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A runner and a loopback upstream for one test file, started before its tests and stopped after them. */
export function useSandbox(limits: SandboxLimits = testLimits()): { runner: () => ScriptRunner; upstream: () => Upstream } {
  let upstream: Upstream | undefined;
  let runner: ScriptRunner | undefined;
  beforeAll(async () => {
    upstream = await startUpstream();
    runner = createScriptRunner(limits);
  });
  afterAll(async () => {
    await runner?.close();
    await upstream?.close();
  });
  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('useSandbox: used outside a test');
    return v;
  };
  return { runner: () => need(runner), upstream: () => need(upstream) };
}
