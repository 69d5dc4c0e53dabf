import type { Results, Step } from './report.ts';
import { keyHistogram } from './scrape.ts';

/** The Markdown tables of the A/B comparisons and of the server's own view of each step. */

const n0 = (v: number): string => Math.round(v).toLocaleString('en-US');
const x = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${v.toFixed(2)}×`);

/** The A B A B steps of one comparison, each row with its logins/s, CPU per login and other load. */
function abTable(r: Results, prefix: string, title: string, ratioKey: string, cpuKey: string, cpuSides: string): string[] {
  const steps = r.steps.filter((s) => s.id.startsWith(`${prefix}-`));
  if (!steps.length) return [];
  const out = [`| ${title} | logins/s | p50 ms | p95 ms | server CPU ms per login | server RSS MB | other load (cores) |`, '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const s of steps) {
    out.push(`| ${s.title} | ${n0(s.rate)} | ${s.latencyMs.p50} | ${s.latencyMs.p95} | ${s.serverCpuMsPerOp.toFixed(2)} | ${n0(s.serverPeakRssMb)} | ${s.otherCpuCores.toFixed(2)} |`);
  }
  out.push(`| **mean ratio** | **${x(r.ratios[ratioKey])}** | | | ${x(r.ratios[cpuKey])} (${cpuSides}) | | |`, '');
  return out;
}

/** Both comparisons of the main run. */
export function abTables(r: Results): string[] {
  const seeded = r.seedingSeconds ? ` (seeded straight into the file: users ${r.seedingSeconds.users} s, log events ${r.seedingSeconds.logs} s)` : '';
  return [
    ...abTable(r, 'features', 'Tenant logs + rate limits + metrics, off vs. on (server restarted each step)', 'features on/off', 'CPU per login, features off/on', 'off / on'),
    ...abTable(r, 'store', `Empty store vs. 100,000 users + 1,000,000 log events${seeded}`, 'store full/empty', 'CPU per login, store empty/full', 'empty / full'),
  ];
}

const short = (name: string): string => name.replace(/^brokerid_/, '').replace(/_duration_seconds/, '').replace(/"/g, '');

/**
 * Every step of ours: the driver's whole-login latency beside the server's own histograms
 * (p50 / p95 from its buckets over the same window), store statements per operation, and
 * the peak RSS of each kind of process beside the tree's.
 */
export function serverViewTable(r: Results): string[] {
  const ours = r.steps.filter((s) => s.target === 'brokerid');
  if (!ours.length) return [];
  const names = [...new Set(ours.flatMap((s) => Object.keys(s.serverView?.histograms ?? {})))].filter(keyHistogram).sort();
  const kinds = [...new Set(ours.flatMap((s) => Object.keys(s.serverPeakRssPartsMb)))].sort();
  const out = [
    `| Step (ours) | driver p50 / p95 ms | ${names.map((n) => `${short(n)} p50 / p95 ms`).join(' | ')}${names.length ? ' | ' : ''}store statements per op (reads + writes) | store errors | peak RSS MB: tree${kinds.map((k) => ` / ${k}`).join('')} |`,
    `| --- | ---: |${names.map(() => ' ---: |').join('')} ---: | ---: | ---: |`,
  ];
  for (const s of ours) out.push(viewRow(s, names, kinds));
  out.push('', 'Histograms are the server\'s own (`/metrics`, every worker, scraped as the driver\'s window opened and closed; p50/p95 interpolated within buckets, '
    + 'as Prometheus\' `histogram_quantile`, so nothing finer than a bucket: the first is 5 ms); the other callback steps are in the JSON; "—": not observed in that step or metrics off. Peak RSS per kind sums that kind\'s processes at each sample.', '');
  return out;
}

function viewRow(s: Step, names: string[], kinds: string[]): string {
  const view = s.serverView;
  const hist = names.map((n) => {
    const h = view?.histograms[n];
    return h ? `${h.p50Ms} / ${h.p95Ms}` : '—';
  });
  const statements = !view ? '—' : view.statementsPerOp ? `${view.statementsPerOp.read} + ${view.statementsPerOp.write}` : 'not exposed';
  const errors = view?.storeErrors ?? '—';
  return `| ${s.id} | ${s.latencyMs.p50} / ${s.latencyMs.p95} | ${hist.join(' | ')}${hist.length ? ' | ' : ''}${statements} | ${errors} | `
    + `${n0(s.serverPeakRssMb)}${kinds.map((k) => ` / ${s.serverPeakRssPartsMb[k] ?? '—'}`).join('')} |`;
}
