/**
 * `npm run bench:heap` — QuaternaryHeap against flatqueue, tinyqueue and heap-js.
 *
 * Usage: node --expose-gc build/bench/heap.bench.js [--write] [--only=steady,load] [--sizes=10000,100000]
 *   --write   also replaces the "## Heap" section of docs/benchmarks.md with the results.
 *   --only    runs only the workloads named (pop-all, steady, update, remove, load).
 *   --sizes   runs only these N (default 10000,100000,1000000).
 *   --match   runs only the implementations whose name contains this text.
 *
 * Method. Every case (one workload × one implementation × one N) runs in a child process of its own,
 * so the JIT never sees two implementations at one call site and a library measured earlier cannot
 * leave type feedback, inline caches or a fragmented heap to the next one. Inside the child: the same
 * seeded keys for every implementation, warm-up runs, then timed runs each preceded by an untimed
 * setup and a full `gc()`; the parent reports median and min. Every timed run folds the popped keys,
 * in pop order, into a checksum, so the work cannot be optimised away, and the parent checks that all
 * implementations popped the same key sequence (ties may pop different ids, never different keys).
 * Keys are integer epoch milliseconds over one week, as the dispatcher's next-run times are.
 *
 * bench/heap/: model.ts (cases, inputs, checksum), cases/*.ts (each library's code), cases.ts (which
 * cases exist), runner.ts (child processes, checks), report.ts (the Markdown section).
 */
import path from 'node:path';
import { IMPLS } from './heap/cases';
import { SIZES, type Case, type Workload } from './heap/model';
import { renderSection, writeSection } from './heap/report';
import { runAll, runCase } from './heap/runner';

function main(): void {
  const args = process.argv.slice(2);
  const caseArg = args.find((a) => a.startsWith('--case='));
  if (caseArg) return runCase(JSON.parse(caseArg.slice('--case='.length)) as Case);

  const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const sizes = option('sizes')?.split(',').map(Number) ?? SIZES;
  const workloads = (option('only')?.split(',') ?? Object.keys(IMPLS)) as Workload[];
  const match = option('match');
  const write = args.includes('--write');
  if (!(globalThis as { gc?: unknown }).gc) console.error('warning: run with --expose-gc, or heaps collect garbage while timed');

  const cases: Case[] = [];
  for (const workload of workloads) {
    if (!IMPLS[workload]) throw new Error(`unknown workload ${workload}; known: ${Object.keys(IMPLS).join(', ')}`);
    for (const n of sizes) for (const impl of IMPLS[workload]) if (!match || impl.includes(match)) cases.push({ workload, impl, n });
  }

  const started = Date.now();
  const { rows, failures } = runAll(__filename, cases);
  const section = renderSection(rows);
  process.stdout.write(section);
  console.error(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (failures.length) {
    console.error(`\nFAILED:\n${failures.join('\n')}`);
    process.exitCode = 1;
    return;
  }
  if (write) {
    const file = path.resolve(__dirname, '../../docs/benchmarks.md');
    writeSection(file, section);
    console.error(`wrote ${file}`);
  }
}

main();
