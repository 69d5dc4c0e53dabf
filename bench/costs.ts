import { readdirSync, readFileSync } from 'node:fs';
import { Browser } from './lib/browser.ts';
import { login } from './lib/flows.ts';
import type { LoginScenario } from './lib/protocol.ts';
import { kindOf, processTree } from './lib/procfs.ts';

/**
 * Where one login's CPU goes, request by request (`npm run bench -- --costs`): logins run
 * one at a time against an otherwise idle server, and the CPU time of every thread of the
 * server's processes (from /proc/<pid>/task/<tid>/schedstat, nanoseconds) is read between
 * consecutive requests. Work a request leaves behind after answering is charged to the next.
 */

/** Nanoseconds on CPU of every thread of `pid`. */
function threadNs(pid: number): number {
  let sum = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        sum += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // thread ended meanwhile
      }
    }
  } catch {
    // process ended meanwhile
  }
  return sum;
}

export interface CostTable {
  logins: number;
  /** Mean CPU ms per login, per request label, per process kind (worker, sandbox, upstream). */
  perRequest: Record<string, Record<string, number>>;
  total: Record<string, number>;
}

/**
 * Runs `logins` sequential logins (after `warmup`), charging CPU per request; `around` is
 * awaited just before the first counted login and just after the last.
 */
export async function measureCosts(scenario: LoginScenario, serverPid: number, upstreamPid: number, logins: number, warmup: number,
  around?: (phase: 'start' | 'end') => Promise<void>): Promise<CostTable> {
  const tree = processTree(serverPid);
  const pids: Array<[string, number]> = tree.map((pid) => [kindOf(pid, serverPid), pid]);
  pids.push(['upstream', upstreamPid]);
  const snapshot = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [kind, pid] of pids) out[kind] = (out[kind] ?? 0) + threadNs(pid);
    return out;
  };
  const sums = new Map<string, Record<string, number>>();
  const browser = new Browser();
  let last = snapshot();
  let counting = false;
  const charge = (label: string) => {
    const now = snapshot();
    if (counting) {
      const entry = sums.get(label) ?? {};
      for (const [kind, ns] of Object.entries(now)) entry[kind] = (entry[kind] ?? 0) + (ns - (last[kind] ?? 0));
      sums.set(label, entry);
    }
    last = now;
  };
  try {
    for (let i = 0; i < warmup + logins; i++) {
      if (i === warmup) await around?.('start');
      counting = i >= warmup;
      browser.clearCookies();
      charge('(between logins)');
      await login(browser, scenario, scenario.connections[i % scenario.connections.length], (label) => charge(label));
    }
    await around?.('end');
  } finally {
    browser.close();
  }
  const perRequest: CostTable['perRequest'] = {};
  const total: Record<string, number> = {};
  for (const [label, entry] of sums) {
    perRequest[label] = {};
    for (const [kind, ns] of Object.entries(entry)) {
      const ms = ns / 1e6 / logins;
      perRequest[label][kind] = Math.round(ms * 1000) / 1000;
      total[kind] = Math.round(((total[kind] ?? 0) + ms) * 1000) / 1000;
    }
  }
  return { logins, perRequest, total };
}

/** Text table of a cost measurement. */
export function describeCosts(t: CostTable): string {
  const kinds = Object.keys(t.total).filter((k) => (t.total[k] ?? 0) > 0.001);
  const lines = [`CPU ms per login, by request (mean of ${t.logins} sequential logins; all threads of each process):`,
    `  ${'request'.padEnd(34)}${kinds.map((k) => k.padStart(10)).join('')}`];
  for (const [label, entry] of Object.entries(t.perRequest)) {
    lines.push(`  ${label.padEnd(34)}${kinds.map((k) => (entry[k] ?? 0).toFixed(3).padStart(10)).join('')}`);
  }
  lines.push(`  ${'total'.padEnd(34)}${kinds.map((k) => (t.total[k] ?? 0).toFixed(3).padStart(10)).join('')}`);
  return lines.join('\n');
}
