import { readFileSync } from 'node:fs';
import { processTree } from './procfs.ts';

/**
 * Store statements per login, by request and SQL text (`npm run bench -- --costs --probe`):
 * the server's processes run bench/lib/probe.ts, which counts every node:sqlite statement
 * by the HTTP request that ran it and writes its counts on SIGUSR2.
 */

/** The server's processes that carry the probe (only they handle SIGUSR2; it would end the others). */
function probed(serverPid: number): number[] {
  return processTree(serverPid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('probe.ts');
    } catch {
      return false;
    }
  });
}

/** Asks every probed process for its counts (they land in the server's log) and waits for them to be written. */
export async function dumpStatements(serverPid: number): Promise<void> {
  for (const pid of probed(serverPid)) process.kill(pid, 'SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 500));
}

type Counts = Record<string, Record<string, number>>;

const kindOf = (sql: string): 'read' | 'write' | 'tx' =>
  /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i.test(sql) ? 'tx' : /^(SELECT|WITH|PRAGMA)\b/i.test(sql) ? 'read' : 'write';

/** A multi-row VALUES list shown as its first row and the row count. */
const foldRows = (sql: string): string => sql.replace(/VALUES (\([^)]*\))(?:, \([^)]*\))+/, (all, first: string) => `VALUES ${first} x ${all.split('), (').length} rows`);

/**
 * The last dump of each process in `logText` (the one after the measured logins), summed,
 * as a table of statements per login.
 */
export function describeStatements(logText: string, logins: number): string {
  const last = new Map<number, Counts>();
  for (const line of logText.split('\n')) {
    if (!line.startsWith('{"probeStatements"')) continue;
    const dump = JSON.parse(line) as { probeStatements: number; byRequest: Counts };
    last.set(dump.probeStatements, dump.byRequest);
  }
  const sum: Counts = {};
  for (const counts of last.values()) {
    for (const [label, bySql] of Object.entries(counts)) {
      const into = (sum[label] ??= {});
      for (const [sql, n] of Object.entries(bySql)) into[sql] = (into[sql] ?? 0) + n;
    }
  }
  const totals = { read: 0, write: 0, tx: 0 };
  const lines: string[] = [];
  for (const [label, bySql] of Object.entries(sum).sort()) {
    const perLogin = Object.values(bySql).reduce((s, n) => s + n, 0) / logins;
    lines.push(`${label}: ${perLogin.toFixed(2)} per login`);
    for (const [sql, n] of Object.entries(bySql).sort((a, b) => b[1] - a[1])) {
      const kind = kindOf(sql);
      totals[kind] += n / logins;
      lines.push(`  ${(n / logins).toFixed(2).padStart(6)}  ${kind.padEnd(5)}  ${foldRows(sql).slice(0, 160)}`);
    }
  }
  const head = `Store statements per login (mean of ${logins} sequential logins, ${last.size} processes): ` +
    `${(totals.read + totals.write).toFixed(2)} (read ${totals.read.toFixed(2)}, write ${totals.write.toFixed(2)}), plus ${totals.tx.toFixed(2)} BEGIN/COMMIT`;
  return [head, ...lines].join('\n');
}
