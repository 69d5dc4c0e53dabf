import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time and memory of process trees from /proc (Linux): a server with WORKERS>1 is a
 * primary plus cluster workers, each with its own sandbox child, so "the server" is the
 * whole tree under the pid we started.
 */

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we target). */
const TICKS_PER_SECOND = 100;

interface StatLine { ppid: number; cpuSeconds: number }

function readStat(pid: number): StatLine | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined; // gone meanwhile
  }
}

function readKb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** `root` and all its descendants that are alive now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(pid);
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU seconds the whole machine has been busy (all cores; everything but idle and iowait). */
export function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/** Summed CPU seconds (user + system) of the given processes. */
export const cpuSeconds = (pids: number[]): number => pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuSeconds ?? 0), 0);
/** Summed resident memory now (MB). */
export const rssMb = (pids: number[]): number => pids.reduce((sum, pid) => sum + readKb(pid, 'VmRSS'), 0) / 1024;
/** Summed lifetime peak resident memory (MB), each process's own VmHWM. */
export const hwmMb = (pids: number[]): number => pids.reduce((sum, pid) => sum + readKb(pid, 'VmHWM'), 0) / 1024;

export interface Usage {
  /** CPU used over the window, in cores (1.0 = one core busy all the time). */
  cores: number;
  /** Highest sampled sum of RSS over the tree during the window (MB). */
  peakRssMb: number;
  /** Sum of each process's VmHWM at the end of the window (MB): an upper bound of the tree's peak. */
  hwmMb: number;
  processes: number;
  /** CPU (cores) per kind of process in the tree: primary, worker, sandbox. */
  parts: Record<string, number>;
  /** Highest sampled RSS (MB) of each kind's processes together (primary, worker, sandbox): where the tree's peak lives. */
  peakRssParts: Record<string, number>;
}

/** What a process of a server tree is: its root, a sandbox process (src/sandbox/worker.ts) or a worker. */
export function kindOf(pid: number, root: number): string {
  // With WORKERS=1 the root process serves itself.
  if (pid === root) return processTree(root).some((p) => p !== root && !isSandbox(p)) ? 'primary' : 'server';
  return isSandbox(pid) ? 'sandbox' : 'worker';
}

function isSandbox(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sandbox/worker.ts');
  } catch {
    return false;
  }
}

/**
 * Watches named process trees: `start()` snapshots CPU, samples RSS every `everyMs`,
 * `stop()` returns per-tree usage over the window. Bounded: stops sampling by itself after
 * `maxMs` if nobody calls stop.
 */
export class UsageWindow {
  readonly #roots: Record<string, number>;
  readonly #everyMs: number;
  #trees: Record<string, number[]> = {};
  #cpu0: Record<string, number> = {};
  #perPid0 = new Map<number, number>();
  #peak: Record<string, number> = {};
  #kinds = new Map<number, string>();
  #peakParts: Record<string, Record<string, number>> = {};
  #t0 = 0;
  #machine0 = 0;
  #self0 = 0;
  #timer: NodeJS.Timeout | undefined;
  #guard: NodeJS.Timeout | undefined;

  constructor(roots: Record<string, number>, everyMs = 250) {
    this.#roots = roots;
    this.#everyMs = everyMs;
  }

  start(maxMs = 120_000): void {
    this.#t0 = performance.now();
    this.#machine0 = machineBusySeconds();
    this.#self0 = cpuSeconds([process.pid]);
    for (const [name, root] of Object.entries(this.#roots)) {
      const tree = processTree(root);
      this.#trees[name] = tree;
      this.#cpu0[name] = cpuSeconds(tree);
      for (const pid of tree) {
        this.#perPid0.set(pid, cpuSeconds([pid]));
        this.#kinds.set(pid, kindOf(pid, root));
      }
      this.#peak[name] = rssMb(tree);
      this.#peakParts[name] = {};
      this.#samplePartsOf(name);
    }
    this.#timer = setInterval(() => this.#sample(), this.#everyMs);
    this.#guard = setTimeout(() => clearInterval(this.#timer), maxMs);
  }

  #sample(): void {
    for (const name of Object.keys(this.#roots)) {
      this.#peak[name] = Math.max(this.#peak[name] ?? 0, rssMb(this.#trees[name] ?? []));
      this.#samplePartsOf(name);
    }
  }

  /** Each kind's summed RSS now, kept when higher than before. */
  #samplePartsOf(name: string): void {
    const now: Record<string, number> = {};
    for (const pid of this.#trees[name] ?? []) {
      const kind = this.#kinds.get(pid) ?? 'other';
      now[kind] = (now[kind] ?? 0) + rssMb([pid]);
    }
    const peak = this.#peakParts[name] ?? {};
    for (const [kind, mb] of Object.entries(now)) peak[kind] = Math.max(peak[kind] ?? 0, mb);
    this.#peakParts[name] = peak;
  }

  stop(): Record<string, Usage> {
    clearInterval(this.#timer);
    clearTimeout(this.#guard);
    const seconds = (performance.now() - this.#t0) / 1000;
    const machine = seconds > 0 ? (machineBusySeconds() - this.#machine0) / seconds : 0;
    const self = seconds > 0 ? (cpuSeconds([process.pid]) - this.#self0) / seconds : 0;
    const out: Record<string, Usage> = {};
    for (const [name, root] of Object.entries(this.#roots)) {
      const tree = this.#trees[name] ?? [root];
      const parts: Record<string, number> = {};
      for (const pid of tree) {
        const kind = this.#kinds.get(pid) ?? kindOf(pid, root);
        const used = seconds > 0 ? (cpuSeconds([pid]) - (this.#perPid0.get(pid) ?? 0)) / seconds : 0;
        parts[kind] = Math.round(((parts[kind] ?? 0) + used) * 100) / 100;
      }
      out[name] = {
        parts,
        cores: seconds > 0 ? (cpuSeconds(tree) - (this.#cpu0[name] ?? 0)) / seconds : 0,
        peakRssMb: Math.max(this.#peak[name] ?? 0, rssMb(tree)),
        hwmMb: hwmMb(tree),
        processes: tree.length,
        peakRssParts: Object.fromEntries(Object.entries(this.#peakParts[name] ?? {}).map(([k, v]) => [k, Math.round(v)])),
      };
    }
    // What the machine did besides the watched processes and this one: other load on the box.
    const watched = Object.values(out).reduce((sum, u) => sum + u.cores, 0) + self;
    out['other'] = { cores: Math.max(0, machine - watched), peakRssMb: 0, hwmMb: 0, processes: 0, parts: { machine: Math.round(machine * 100) / 100 }, peakRssParts: {} };
    return out;
  }
}
