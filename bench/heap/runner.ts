/**
 * Running the cases: each in a child process of its own (`runCase` is the child's side), with the
 * results checked against each other and against the sorted keys.
 */
import { execFileSync } from 'node:child_process';
import { caseBench, expectedDrain, opsOf } from './cases';
import { Data, stopRetaining, type Case, type CaseResult } from './model';

/** [warm-up runs, timed runs] by N: enough runs for a stable median, all of it within ~3 minutes. */
export const RUNS: Record<number, [number, number]> = { 10_000: [10, 21], 100_000: [3, 11], 1_000_000: [1, 5] };
/** A case whose last warm-up run took longer than this gets only SLOW_RUNS timed runs. */
export const SLOW_MS = 1000;
export const SLOW_RUNS = 3;

export interface Row {
  c: Case;
  medianMs: number;
  minMs: number;
  mops: number;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const fmtN = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
export const fmtMs = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));

/** The child side: runs one case and prints its CaseResult as JSON. */
export function runCase(c: Case): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  const data = new Data(c.n);
  const { setup, run, drain } = caseBench(c, data);
  const [warmups, defaultRuns] = RUNS[c.n] ?? [3, 9];
  let runs = defaultRuns;
  const timesMs: number[] = [];
  let checksum: number | undefined;
  let drainChecksum: number | undefined;
  for (let r = 0; r < warmups + runs; r++) {
    let state = setup();
    gc?.();
    const start = process.hrtime.bigint();
    const sum = run(state);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (checksum !== undefined && sum !== checksum) throw new Error(`run ${r} checksum ${sum}, earlier runs ${checksum}`);
    checksum = sum;
    if (r >= warmups) timesMs.push(elapsed);
    else if (r === warmups - 1 && elapsed > SLOW_MS) runs = Math.min(runs, SLOW_RUNS);
    if (r === warmups + runs - 1 && drain) drainChecksum = drain(state);
    state = undefined;
    stopRetaining();
  }
  const result: CaseResult = { timesMs, checksum: checksum!, drainChecksum };
  process.stdout.write(JSON.stringify(result));
}

/**
 * The parent side: runs every case in a child process (`script --case=<json>`, with this process's
 * node options), logs each result to stderr, and checks that all implementations popped the same key
 * sequence and that the heaps left behind drain to the sorted keys. Returns the rows and the failures.
 */
export function runAll(script: string, cases: Case[]): { rows: Row[]; failures: string[] } {
  const rows: Row[] = [];
  const failures: string[] = [];
  const crossCheck = new Map<string, { impl: string; checksum: number }>();
  const dataBySize = new Map<number, Data>();
  for (const c of cases) {
    const label = `${c.workload} ${fmtN(c.n)} ${c.impl}`;
    const out = execFileSync(process.execPath, [...process.execArgv, script, `--case=${JSON.stringify(c)}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    const result = JSON.parse(out) as CaseResult;
    const row: Row = { c, medianMs: median(result.timesMs), minMs: Math.min(...result.timesMs), mops: 0 };
    row.mops = opsOf(c) / row.medianMs / 1000;
    rows.push(row);
    console.error(`${label}: median ${fmtMs(row.medianMs)} ms, min ${fmtMs(row.minMs)} ms`);

    if (!dataBySize.has(c.n)) dataBySize.set(c.n, new Data(c.n));
    const data = dataBySize.get(c.n)!;
    if (c.workload === 'pop-all' || c.workload === 'steady') {
      const group = `${c.workload}/${c.n}`;
      const first = crossCheck.get(group);
      if (!first) crossCheck.set(group, { impl: c.impl, checksum: result.checksum });
      else if (first.checksum !== result.checksum) failures.push(`${label}: popped keys differ from ${first.impl}`);
      if (c.workload === 'pop-all' && result.checksum !== expectedDrain(c, data)) failures.push(`${label}: popped keys not in sorted order`);
    } else if (result.drainChecksum !== expectedDrain(c, data)) {
      failures.push(`${label}: the heap left behind does not drain to the expected keys`);
    }
  }
  return { rows, failures };
}
