import { readFileSync } from 'node:fs';
import { profileFiles } from './profile.ts';

/**
 * `node bench/profile-parts.ts <dir-or-file>...`: a worker's CPU profile split by the part of
 * the server that did the work, for "what our token path adds over plain oidc-provider".
 * Each sample goes to the innermost frame on its stack that belongs to a part (so a store
 * read made by oidc-provider's adapter is the store's, and oidc-provider called through an
 * express middleware's next() is oidc-provider's); node internals go to the part that
 * called them. Wrappers that only pass a call on (res.end, res.writeHead) are skipped, so
 * writing the answer is charged to whoever answers.
 */

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** In order: the first that matches a frame's file names its part. */
const PARTS: Array<[string, RegExp]> = [
  ['rate limits (src/limits)', /\/src\/limits\//],
  ['Auth0 token dialect + grant lookup (src/oidc/auth0-token-request.ts, grant-lookup.ts)', /\/src\/oidc\/(auth0-token-request|grant-lookup)\.ts/],
  ['tenant logs (src/logs, log-events)', /\/src\/logs\/|\/src\/(oidc|lib)\/log-events\.ts/],
  ['metrics (src/metrics, prom-client)', /\/src\/metrics\/|node_modules\/prom-client\//],
  ['security headers, http (src/http)', /\/src\/http\//],
  ['store + oidc adapter/clients (src/store, src/oidc/adapter.ts, clients.ts, ids-at-rest.ts)', /\/src\/store\/|\/src\/oidc\/(adapter|clients|ids-at-rest)\.ts/],
  ['other src/', /\/src\//],
  ['jose (signing)', /node_modules\/jose\//],
  ['oidc-provider + koa', /node_modules\/(oidc-provider|koa[^/]*|@koa|delegates|ee-first|on-finished|statuses|http-errors|raw-body|co-body|vary|content-type|cookies|keygrip|tsscmp)\//],
  ['express + router + body-parser', /node_modules\/(express|router|body-parser|type-is|finalhandler|send|qs|mime-types|accepts|negotiator|parseurl)\//],
  ['other packages', /node_modules\//],
];
const PASS_THROUGH = new Set(['res.end', 'res.writeHead']);

function split(file: string): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ms = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const leaf = byId.get(id);
    const name = leaf?.callFrame.functionName ?? '';
    if (!leaf || name === '(idle)') return;
    let part = name.startsWith('(') ? name : 'node internals (no caller outside them)';
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (!frame?.url || frame.url.startsWith('node:') || PASS_THROUGH.has(frame.functionName)) continue;
      part = PARTS.find(([, re]) => re.test(frame.url))?.[0] ?? frame.url;
      break;
    }
    ms.set(part, (ms.get(part) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return ms;
}

for (const file of profileFiles(process.argv.slice(2))) {
  const parts = split(file);
  const busy = [...parts.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`${file}: busy ${Math.round(busy)} ms\n`);
  for (const [part, ms] of [...parts].sort((a, b) => b[1] - a[1])) {
    process.stdout.write(`  ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${part}\n`);
  }
}
