import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiagnoseOptions } from './diagnose.ts';
import { machine, type Step } from './lib/report.ts';
import { logEventCpu } from './logs-event-cpu.ts';
import { alternate, sideMeans } from './lib/alternate.ts';
import { say, startWorld } from './lib/world.ts';

/**
 * `npm run bench -- --logs-cost[=rounds]`: the cost of tenant logs on the hot path (issue 13's
 * "tenant logs on vs off >= 0.95x"). Brokered logins at C=32, the server restarted with
 * LOGS_ENABLED=true and =false in turn (on, off, on, off, ...: lib/alternate.ts, as the main
 * run's features and store comparisons), so a change in the machine's other load hits both
 * sides alike; each pair's ratio is reported with the other load seen.
 * Then the CPU one event costs in-process (logs-event-cpu.ts), which other load disturbs less.
 */

const C = 32;

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Runs the alternating steps and writes bench/results/<stamp>-logs-cost.{json,md}. */
export async function logsCostRun(rounds: number, options: DiagnoseOptions): Promise<void> {
  const world = await startWorld(options.workers);
  let steps: Step[] = [];
  try {
    steps = await alternate(world, options.timing, 'logs', [
      { key: 'on', title: 'brokered login, LOGS_ENABLED=true', env: { LOGS_ENABLED: 'true' } },
      { key: 'off', title: 'brokered login, LOGS_ENABLED=false', env: { LOGS_ENABLED: 'false' } },
    ], rounds, C, options.workers);
  } finally {
    await world.server.stop();
    await world.upstream.stop();
    await rm(world.env.tmp, { recursive: true, force: true });
  }
  const side = (on: boolean) => sideMeans(steps, 'logs', on ? 'on' : 'off').steps;
  const pairs = side(true).map((on, i) => ({ on, off: side(false)[i]! }));
  const ratio = round(mean(side(true).map((s) => s.rate)) / mean(side(false).map((s) => s.rate)));
  const cpu = await logEventCpu();
  const perLoginMs = round((2 * (cpu.emitUs + cpu.storeUs)) / 1000, 3);
  const offCpu = mean(side(false).map((s) => s.serverCpuMsPerOp));
  const m = machine();
  const lines = [
    `Measured ${new Date().toISOString()} on ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}; brokered logins at C=${C}, `
      + `${options.workers} worker(s), ${options.timing.warmupMs / 1000} s warm-up + ${options.timing.durationMs / 1000} s per step, on/off alternating (ABAB).`,
    '',
    '| Round | logs on: logins/s | CPU ms/login | logs off: logins/s | CPU ms/login | on / off | other load (cores) on / off |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...pairs.map(({ on, off }, i) => `| ${i + 1} | ${on.rate} | ${on.serverCpuMsPerOp} | ${off.rate} | ${off.serverCpuMsPerOp} | ${round(on.rate / off.rate)} | `
      + `${on.otherCpuCores} / ${off.otherCpuCores} |`),
    '',
    `Mean logins/s on / off: **${ratio}** (target >= 0.95). Mean server CPU per login: on ${round(mean(side(true).map((s) => s.serverCpuMsPerOp)), 2)} ms, `
      + `off ${round(offCpu, 2)} ms.`,
    '',
    `CPU of one event in its process (process.cpuUsage, ${cpu.events} events, sqlite file store): emit (on the request's path) `
      + `${round(cpu.emitUs, 1)} µs, batched store write (off the path) ${round(cpu.storeUs, 1)} µs; a login writes 2 events (s, seacft): `
      + `${perLoginMs} ms of CPU per login${offCpu > 0 ? `, ${round((100 * perLoginMs) / offCpu, 1)} % of the logs-off CPU per login above` : ''}.`,
  ];
  mkdirSync(options.resultsDir, { recursive: true });
  const base = join(options.resultsDir, `${options.stamp}-logs-cost`);
  writeFileSync(`${base}.json`, `${JSON.stringify({ date: new Date().toISOString(), machine: m, ratio, eventCpuUs: cpu, steps }, null, 2)}\n`);
  writeFileSync(`${base}.md`, `${lines.join('\n')}\n`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
  say(`results written to ${base}.json and ${base}.md`);
}
