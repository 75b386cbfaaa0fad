/**
 * `npm run bench:spool` — the worker's result spool: time per task result saved and, once acked,
 * removed, the way the outbox does it.
 *
 * Usage: node build/bench/result-spool.bench.js [--results N] [--runs N] [--module path/to/result-spool.js]
 *   --results  results per run (default 20,000).
 *   --runs     timed runs (default 5), after one untimed warm-up run; the median is reported.
 *   --module   a compiled result-spool.js to measure instead of the current one. The file-per-result
 *              spool the journal replaced: `git show dbc8fba:worker/src/result-spool.ts >
 *              bench/old-result-spool.ts`, `npx tsc -p tsconfig.test.json`, then
 *              `--module build/bench/old-result-spool.js` (and remove the .ts again).
 *
 * Method. Each run opens a spool on a fresh temporary directory and saves N results (an http task's
 * success, about 90 bytes of JSON), removing each one 100 results after its save (the outbox's
 * default maxInFlight), yielding to the event loop (setImmediate) every 50 results as a busy worker
 * does between socket reads, then removes the rest and closes the spool. Reported per result: wall
 * time, CPU time of the process (user + system: the spool's cost is mostly system calls) and the
 * time spent inside save() alone, which is what delays the sending of a result. After each run the
 * spool is opened again and must hold nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TaskUpdate } from '@cronfleet/shared';

interface Spool {
  save(update: TaskUpdate): number[];
  remove(taskId: number): void;
  close?(): void;
}
interface SpoolModule {
  ResultSpool: { open(dir: string, options: { log: (line: string) => void }): { spool: Spool; results: TaskUpdate[] } };
}

const IN_FLIGHT = 100;
const PER_TURN = 50;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

/** What an http task that answered 2xx reports. */
function result(taskId: number): TaskUpdate {
  return { taskId, status: 'success', atMs: 1_700_000_000_000 + taskId, exitCode: null, signal: null, error: null };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function run(mod: SpoolModule, n: number): Promise<{ wallUs: number; cpuUs: number; saveUs: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cronfleet-spool-bench-'));
  const updates = Array.from({ length: n }, (_, i) => result(i + 1));
  try {
    const { spool } = mod.ResultSpool.open(dir, { log: (line) => console.error(line) });
    let saveNs = 0n;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 1; i <= n; i++) {
      const s = process.hrtime.bigint();
      spool.save(updates[i - 1]);
      saveNs += process.hrtime.bigint() - s;
      if (i > IN_FLIGHT) spool.remove(i - IN_FLIGHT);
      if (i % PER_TURN === 0) await turn();
    }
    for (let id = Math.max(1, n - IN_FLIGHT + 1); id <= n; id++) spool.remove(id);
    await turn();
    spool.close?.();
    const wallNs = process.hrtime.bigint() - t0;
    const cpu = process.cpuUsage(cpu0);
    const left = mod.ResultSpool.open(dir, { log: (line) => console.error(line) });
    left.spool.close?.();
    if (left.results.length > 0) throw new Error(`${left.results.length} removed result(s) came back on reopen`);
    return { wallUs: Number(wallNs) / 1000 / n, cpuUs: (cpu.user + cpu.system) / n, saveUs: Number(saveNs) / 1000 / n };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const n = Number(option('results', '20000'));
  const runs = Number(option('runs', '5'));
  const file = path.resolve(option('module', path.join(__dirname, '../worker/src/result-spool.js')));
  const mod = require(file) as SpoolModule;
  await run(mod, Math.min(n, 2000));
  const rows: Array<{ wallUs: number; cpuUs: number; saveUs: number }> = [];
  for (let r = 0; r < runs; r++) rows.push(await run(mod, n));
  const fmt = (key: 'wallUs' | 'cpuUs' | 'saveUs'): string =>
    `${median(rows.map((x) => x[key])).toFixed(1)} (${rows.map((x) => x[key].toFixed(1)).join(' ')})`;
  console.log(`${path.relative(process.cwd(), file)}: ${n} results, median of ${runs} runs (each run in parentheses), µs per result`);
  console.log(`  wall       ${fmt('wallUs')}`);
  console.log(`  CPU        ${fmt('cpuUs')}`);
  console.log(`  in save()  ${fmt('saveUs')}`);
}

void main();
