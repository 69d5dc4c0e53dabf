import { cpus, hostname, release, totalmem } from 'node:os';
import type { DriverResult, Percentiles, SandboxCase } from './protocol.ts';

export type { SandboxCase };
import type { Usage } from './procfs.ts';
import { round } from './stats.ts';
import type { ServerView } from './scrape.ts';
import { abTables, serverViewTable } from './report-server.ts';

/** The results of a run: its JSON record and the Markdown table for the README. */

export interface Machine { hostname: string; cpuModel: string; cores: number; memoryGb: number; node: string; kernel: string }

export function machine(): Machine {
  const list = cpus();
  return {
    hostname: hostname(), cpuModel: list[0]?.model.trim() ?? 'unknown', cores: list.length,
    memoryGb: round(totalmem() / 2 ** 30, 1), node: process.version, kernel: `${process.platform} ${release()}`,
  };
}

export interface Step {
  id: string;
  title: string;
  target: 'brokerid' | 'oidc-provider' | 'better-auth';
  scenario: 'brokered login' | 'plain login' | 'client credentials';
  concurrency: number;
  /** Server processes serving (oidc-provider and better-auth: always one). */
  workers: number;
  stored?: { connections: number; users: number; logs?: number };
  rate: number;
  latencyMs: Percentiles;
  completed: number;
  errors: number;
  errorSamples: string[];
  serverCpuCores: number;
  serverPeakRssMb: number;
  serverHwmMb: number;
  serverProcesses: number;
  /** Server CPU (cores) by process kind: primary, worker(s), sandbox(es). */
  serverCpuParts: Record<string, number>;
  /** Peak RSS (MB) by process kind (each kind's processes summed): primary, worker(s), sandbox(es). */
  serverPeakRssPartsMb: Record<string, number>;
  /** The server's own /metrics over the measured window (ours only; absent when it did not answer). */
  serverView?: ServerView;
  /** Server CPU per completed operation (ms): throughput-independent cost. */
  serverCpuMsPerOp: number;
  upstreamCpuCores: number;
  driverCpuCores: number;
  /** Machine CPU not used by the server, upstream, driver or orchestrator: other load (should be ~0). */
  otherCpuCores: number;
  hops: DriverResult['hops'];
}

export function toStep(meta: Pick<Step, 'id' | 'title' | 'target' | 'scenario' | 'workers'> & { stored?: Step['stored'] },
  result: DriverResult, usage: Record<string, Usage>, serverView?: ServerView): Step {
  const server = usage['server'];
  const r = (p: Percentiles): Percentiles => ({ p50: round(p.p50), p95: round(p.p95), p99: round(p.p99), mean: round(p.mean), max: round(p.max) });
  return {
    ...meta,
    concurrency: result.concurrency,
    rate: round(result.rate),
    latencyMs: r(result.latency),
    completed: result.completed,
    errors: result.errors,
    errorSamples: result.errorSamples,
    serverCpuCores: round(server?.cores ?? 0, 2),
    serverPeakRssMb: round(server?.peakRssMb ?? 0, 0),
    serverHwmMb: round(server?.hwmMb ?? 0, 0),
    serverProcesses: server?.processes ?? 0,
    serverCpuParts: server?.parts ?? {},
    serverPeakRssPartsMb: server?.peakRssParts ?? {},
    ...(serverView ? { serverView } : {}),
    serverCpuMsPerOp: result.rate > 0 ? round(((server?.cores ?? 0) / result.rate) * 1000, 2) : 0,
    upstreamCpuCores: round(usage['upstream']?.cores ?? 0, 2),
    otherCpuCores: round(usage['other']?.cores ?? 0, 2),
    driverCpuCores: round(usage['driver']?.cores ?? 0, 2),
    hops: Object.fromEntries(Object.entries(result.hops).map(([k, v]) => [k, { meanMs: round(v.meanMs, 2), count: v.count }])),
  };
}

export interface Target { name: string; goal: string; measured: string; met: boolean; note?: string }

export interface Results {
  date: string;
  machine: Machine;
  settings: { warmupMs: number; durationMs: number; concurrency: number[]; defaultWorkers: number; quick: boolean };
  steps: Step[];
  sandbox: Record<string, SandboxCase>;
  ratios: Record<string, number | null>;
  targets: Target[];
  anchors: string[];
  wallSeconds: number;
  /** Seconds spent seeding the full store (not measured): its users, its log events. */
  seedingSeconds?: { users: number; logs: number };
}

export const ANCHORS = [
  "Keycloak's sizing guide plans about 120 token requests/s and 15 password logins/s per vCPU.",
  "Auth0's enterprise tenants get 100 requests/s on the Authentication API.",
  'Ory reports about 1,090 logins/s on a tuned cluster.',
];

const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const n0 = (v: number): string => Math.round(v).toLocaleString('en-US');
const ratioText = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${v.toFixed(2)}×`);

function stepRow(s: Step, extra = ''): string {
  return `| ${s.title} | ${s.concurrency} | ${n0(s.rate)} | ${ms(s.latencyMs.p50)} | ${ms(s.latencyMs.p95)} | ${ms(s.latencyMs.p99)} | ${s.errors} | `
    + `${s.serverCpuCores.toFixed(2)} | ${s.serverCpuMsPerOp.toFixed(2)} | ${n0(s.serverPeakRssMb)} |${extra}`;
}

const HEAD_COLUMNS = '| C | {unit}/s | p50 ms | p95 ms | p99 ms | errors | server CPU (cores) | server CPU ms per {op} | server RSS MB |';
const ALIGN = '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
const head = (first: string, unit: string, op: string, last: string): string =>
  `| ${first} ${HEAD_COLUMNS.replace('{unit}', unit).replace('{op}', op)} ${last} |`;

/** The peer's rows (same login, driver, upstream and concurrency as ours) with ours / theirs in logins/s. */
function peerTable(r: Results, by: (id: string) => Step | undefined): string[] {
  const rows = r.settings.concurrency.map((c) => ({ c, peer: by(`peer-${c}`) }));
  if (!rows.some((row) => row.peer)) return [];
  const out = [head('Peer: better-auth, same job (`genericOAuth` → same upstream, `oauth-provider` code + tokens, SQLite)', 'logins', 'login', 'brokerid / better-auth'),
    ALIGN];
  for (const { c, peer } of rows) if (peer) out.push(stepRow(peer, ` ${ratioText(r.ratios[`brokered/peer@${c}`])} |`));
  return out;
}

/** The Markdown benchmark section body: setup line, tables, targets, anchors. */
export function markdown(r: Results): string {
  const m = r.machine;
  const by = (id: string): Step | undefined => r.steps.find((s) => s.id === id);
  const out: string[] = [];
  out.push(`Measured ${r.date.slice(0, 10)} on ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, ${m.kernel}; `
    + `\`npm run bench\` (${Math.round(r.wallSeconds)} s) with the server, the upstream provider and the load driver sharing the machine, `
    + `all on loopback. Each step: ${r.settings.warmupMs / 1000} s warm-up, ${r.settings.durationMs / 1000} s measured. `
    + 'A login is the whole flow of a new browser: `/authorize?connection=` → upstream authorize → `/login/callback` '
    + '(upstream token request + `fetchUserProfile` with one `request.get` to the upstream userinfo) → code → `/oauth/token` (PKCE, confidential client). '
    + 'The peer, better-auth, does the same job in its own process: `/oauth2/authorize` → its login page (`POST /sign-in/social`, genericOAuth) → the same upstream '
    + '→ `/callback/:id` (upstream token request + userinfo, user + account + session in SQLite) → code → `/oauth2/token`; every id_token is checked on both sides. '
    + 'CPU is in cores (1.00 = one core busy); RSS is the peak of the server\'s whole process tree (workers and sandbox processes included).');
  out.push('');
  out.push(head('Logins', 'logins', 'login', 'brokered / baseline'));
  out.push(ALIGN);
  for (const c of r.settings.concurrency) {
    const b = by(`brokered-${c}`);
    if (b) out.push(stepRow(b, ` ${ratioText(r.ratios[`brokered/baseline@${c}`])} |`));
  }
  for (const c of r.settings.concurrency) {
    const b = by(`baseline-${c}`);
    if (b) out.push(stepRow(b, ' |'));
  }
  out.push('');
  out.push(...peerTable(r, by));
  out.push('');
  out.push(head('Machine tokens (client credentials, `audience`, RS256 JWT)', 'tokens', 'token', 'ratio'));
  out.push(ALIGN);
  const t = by('tokens');
  const tb = by('tokens-baseline');
  if (t) out.push(stepRow(t, ` ${ratioText(r.ratios['tokens/baseline'])} |`));
  if (tb) out.push(stepRow(tb, ' |'));
  out.push('');
  out.push(head('Scale and processes (brokered login)', 'logins', 'login', 'ratio'));
  out.push(ALIGN);
  const base = by(`brokered-32`);
  if (base) out.push(stepRow({ ...base, title: `${base.stored?.connections ?? '?'} connections, ${n0(base.stored?.users ?? 0)} users, ${base.workers} workers` }, ' 1.00× |'));
  const sc = by('scale-connections');
  if (sc) out.push(stepRow({ ...sc, title: `${n0(sc.stored?.connections ?? 0)} connections, ${n0(sc.stored?.users ?? 0)} users` }, ` ${ratioText(r.ratios['connections 10k/10'])} |`));
  const w1 = by('workers-1');
  if (w1) out.push(stepRow({ ...w1, title: '1 worker process' }, ` ${ratioText(r.ratios['workers 1/default'])} |`));
  out.push('');
  out.push(...abTables(r));
  out.push(...serverViewTable(r));
  out.push('| Sandbox (`fetchUserProfile`, one run) | p50 µs | p95 µs | p99 µs | runs/s |');
  out.push('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, c] of Object.entries(r.sandbox)) {
    out.push(`| ${name} | ${n0(c.latencyUs.p50)} | ${n0(c.latencyUs.p95)} | ${n0(c.latencyUs.p99)} | ${n0(c.runsPerSecond)} |`);
  }
  out.push('');
  out.push('| Target (2 cores shared with driver and upstream) | Goal | Measured | Met |');
  out.push('| --- | --- | --- | :---: |');
  for (const target of r.targets) out.push(`| ${target.name} | ${target.goal} | ${target.measured} | ${target.met ? 'yes' : '**no**'} |`);
  out.push('');
  const disturbed = r.steps.filter((st) => st.otherCpuCores >= 0.2);
  if (disturbed.length) {
    out.push(`Other load on the machine during ${disturbed.map((st) => `${st.id} (${st.otherCpuCores.toFixed(2)} cores)`).join(', ')}: those numbers are low.`);
    out.push('');
  }
  out.push(`Anchors: ${ANCHORS.join(' ')}`);
  return `${out.join('\n')}\n`;
}
