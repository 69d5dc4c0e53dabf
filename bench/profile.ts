import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Summarizes V8 .cpuprofile files (from `--cpu-prof`): where the samples fall by self time,
 * per function and per package / source folder. Used by `npm run bench -- --profile` and
 * runnable alone: `node bench/profile.ts <dir-or-file>...`.
 */

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface ProfileSummary {
  file: string;
  /** Sampled time (ms) the process was busy (not idle, not "(program)"/GC split out). */
  busyMs: number;
  totalMs: number;
  topFunctions: Array<{ name: string; where: string; selfMs: number; percentOfBusy: number }>;
  byArea: Array<{ area: string; selfMs: number; percentOfBusy: number }>;
  /** Self time with node's internals charged to their nearest caller outside them (by area, then by function). */
  attributed: Array<{ area: string; selfMs: number; percentOfBusy: number }>;
  attributedFunctions: Array<{ name: string; where: string; selfMs: number; percentOfBusy: number }>;
  /** Inclusive (self + callees) time of functions outside node's internals: where the work comes from. */
  inclusive: Array<{ name: string; where: string; totalMs: number; percentOfBusy: number }>;
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Groups a script URL into an area: a package, one of our source folders, node internals, or V8. */
function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1] ?? path;
  const rel = relative(ROOT, path);
  if (!rel.startsWith('..')) return rel.split('/').slice(0, 2).join('/');
  return path;
}

export function summarize(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const fns = new Map<string, { name: string; where: string; selfMs: number }>();
  const areas = new Map<string, number>();
  let busyMs = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    if (name === '(idle)') continue;
    busyMs += ms;
    const where = url ? `${relative(ROOT, url.startsWith('file://') ? fileURLToPath(url) : url)}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const entry = fns.get(key) ?? { name, where, selfMs: 0 };
    entry.selfMs += ms;
    fns.set(key, entry);
    const area = areaOf(url, name);
    areas.set(area, (areas.get(area) ?? 0) + ms);
  }
  // Inclusive time: each sample counts once for every distinct function on its stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, { name: string; where: string; totalMs: number }>();
  const attributed = new Map<string, number>();
  const attributedFns = new Map<string, { name: string; where: string; selfMs: number }>();
  for (const [id, ms] of self) {
    const leaf = byId.get(id);
    if (!leaf || leaf.callFrame.functionName === '(idle)') continue;
    let owner: ProfileNode = leaf;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (!node) break;
      if (node.callFrame.url && !node.callFrame.url.startsWith('node:')) {
        owner = node;
        break;
      }
    }
    const area = areaOf(owner.callFrame.url, owner.callFrame.functionName);
    attributed.set(area, (attributed.get(area) ?? 0) + ms);
    const ownerWhere = owner.callFrame.url ? `${relative(ROOT, owner.callFrame.url.startsWith('file://') ? fileURLToPath(owner.callFrame.url) : owner.callFrame.url)}:${owner.callFrame.lineNumber + 1}` : '';
    const ownerKey = `${owner.callFrame.functionName}@${ownerWhere}`;
    const fe = attributedFns.get(ownerKey) ?? { name: owner.callFrame.functionName || '(anonymous)', where: ownerWhere, selfMs: 0 };
    fe.selfMs += ms;
    attributedFns.set(ownerKey, fe);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (!node) break;
      const { functionName, url, lineNumber } = node.callFrame;
      if (!url || url.startsWith('node:')) continue;
      const where = `${relative(ROOT, url.startsWith('file://') ? fileURLToPath(url) : url)}:${lineNumber + 1}`;
      const key = `${functionName || '(anonymous)'}@${where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = inclusive.get(key) ?? { name: functionName || '(anonymous)', where, totalMs: 0 };
      entry.totalMs += ms;
      inclusive.set(key, entry);
    }
  }
  const pct = (ms: number) => Math.round((ms / (busyMs || 1)) * 1000) / 10;
  return {
    file,
    busyMs: Math.round(busyMs),
    totalMs: Math.round(totalMs),
    topFunctions: [...fns.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)
      .map((f) => ({ ...f, selfMs: Math.round(f.selfMs * 10) / 10, percentOfBusy: pct(f.selfMs) })),
    byArea: [...areas].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([area, ms]) => ({ area, selfMs: Math.round(ms), percentOfBusy: pct(ms) })),
    attributed: [...attributed].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([area, ms]) => ({ area, selfMs: Math.round(ms), percentOfBusy: pct(ms) })),
    attributedFunctions: [...attributedFns.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top * 2)
      .map((f) => ({ ...f, selfMs: Math.round(f.selfMs), percentOfBusy: pct(f.selfMs) })),
    inclusive: [...inclusive.values()].sort((a, b) => b.totalMs - a.totalMs).slice(0, top * 3)
      .map((f) => ({ ...f, totalMs: Math.round(f.totalMs), percentOfBusy: pct(f.totalMs) })),
  };
}

/** Every .cpuprofile under the given files or folders. */
export function profileFiles(paths: string[]): string[] {
  return paths.flatMap((p) => {
    try {
      return readdirSync(p).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(p, f));
    } catch {
      return [p];
    }
  });
}

/** Text form of a summary, for the console. */
export function describe(s: ProfileSummary, areasShown = 12, functionsShown = 20, inclusiveShown = 45): string {
  const lines = [`${s.file}: busy ${s.busyMs} ms of ${s.totalMs} ms sampled`, '  by area (self time):'];
  for (const a of s.byArea.slice(0, areasShown)) lines.push(`    ${a.percentOfBusy.toFixed(1).padStart(5)}%  ${a.area}`);
  lines.push('  top functions (self time):');
  for (const f of s.topFunctions.slice(0, functionsShown)) lines.push(`    ${f.percentOfBusy.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
  if (s.busyMs > 1000) {
    lines.push('  by area, node internals charged to their caller:');
    for (const a of s.attributed.slice(0, areasShown + 6)) lines.push(`    ${a.percentOfBusy.toFixed(1).padStart(5)}%  ${a.area}`);
    lines.push('  by function, node internals charged to their caller:');
    for (const f of s.attributedFunctions.slice(0, 30)) lines.push(`    ${f.percentOfBusy.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
    lines.push('  inclusive (self + callees), outside node internals:');
    for (const f of s.inclusive.slice(0, inclusiveShown)) lines.push(`    ${f.percentOfBusy.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const file of profileFiles(process.argv.slice(2))) process.stdout.write(`${describe(summarize(file))}\n\n`);
}
