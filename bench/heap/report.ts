/** The Markdown report, and replacing its section of docs/benchmarks.md (other sections untouched). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IMPLS, TITLES } from './cases';
import { SIZES, type Workload } from './model';
import { RUNS, SLOW_MS, SLOW_RUNS, fmtMs, fmtN, type Row } from './runner';

export const DOC_HEADING = '## Heap (npm run bench:heap)';

function table(workload: Workload, rows: Row[]): string {
  const own = rows.filter((r) => r.c.workload === workload);
  if (own.length === 0) return '';
  const baseline = (n: number) => own.find((r) => r.c.n === n && r.c.impl === 'flatqueue');
  const lines = [
    `### ${TITLES[workload]}`,
    '',
    baseline(own[0].c.n)
      ? '| N | implementation | median ms | min ms | Mops/s | time vs flatqueue |\n|---:|---|---:|---:|---:|---:|'
      : '| N | implementation | median ms | min ms | Mops/s |\n|---:|---|---:|---:|---:|',
  ];
  for (const r of own) {
    const cells = [fmtN(r.c.n), r.c.impl, fmtMs(r.medianMs), fmtMs(r.minMs), r.mops.toFixed(2)];
    const base = baseline(r.c.n);
    if (base) cells.push(`${(r.medianMs / base.medianMs).toFixed(2)}×`);
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

/** The goals, checked against the measured medians. */
function goals(rows: Row[]): string {
  const find = (w: Workload, impl: string, n: number) => rows.find((r) => r.c.workload === w && r.c.impl === impl && r.c.n === n);
  const lines: string[] = [];
  const pairs: [Workload, string][] = [
    ['pop-all', 'QuaternaryHeap'],
    ['steady', 'QuaternaryHeap'],
    ['steady', 'QuaternaryHeap, peek + update'],
  ];
  for (const [w, impl] of pairs) {
    for (const n of SIZES) {
      const ours = find(w, impl, n);
      const flat = find(w, 'flatqueue', n);
      if (!ours || !flat) continue;
      const fixed = find(w, 'flatqueue, fixed capacity', n);
      const ratio = ours.medianMs / flat.medianMs;
      lines.push(
        `- ${w} ${fmtN(n)}, ${impl}: ${ratio.toFixed(2)}× the time of flatqueue` +
          (fixed ? ` (${(ours.medianMs / fixed.medianMs).toFixed(2)}× fixed-capacity flatqueue)` : '') +
          ` — ${ratio < 0.97 ? 'faster' : ratio <= 1.03 ? 'on par (within ±3%)' : 'slower'}`,
      );
    }
  }
  for (const w of ['update', 'remove'] as const) {
    for (const impl of IMPLS[w]) {
      const r = find(w, impl, 1_000_000);
      if (r) lines.push(`- ${w} at 1M, ${impl.replace('QuaternaryHeap, ', '')}: ${r.mops.toFixed(2)} Mops/s — goal ≥ 1 ${r.mops >= 1 ? 'met' : 'not met'}`);
    }
  }
  const load = find('load', 'QuaternaryHeap.load, number ids', 1_000_000);
  if (load) lines.push(`- load of 1M number ids (dispatcher start): ${fmtMs(load.medianMs)} ms`);
  return lines.length ? `### Goals (medians)\n\n${lines.join('\n')}\n` : '';
}

function machine(): string {
  const cpus = os.cpus();
  const date = new Date().toISOString().slice(0, 10);
  return (
    `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
    `Node ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.release()}, ${date}`
  );
}

const RUN_COUNTS = Object.entries(RUNS)
  .map(([n, [warmups, runs]]) => `${fmtN(+n)}: ${warmups} + ${runs}`)
  .join(', ');

const METHOD = `Each case runs in its own Node process (\`--expose-gc\`) with the same seeded keys for every
implementation (integer epoch milliseconds over one week): warm-up runs, then timed runs (${RUN_COUNTS};
${SLOW_RUNS} timed runs when a warm-up run takes over ${SLOW_MS / 1000} s), each after an untimed setup
and a full \`gc()\`. The first run's structures stay reachable, so V8 keeps its optimised code across
runs as it would for a long-lived heap. Times are the median and minimum of the timed runs; Mops/s is
from the median. Every timed run folds the popped keys, in pop order, into a checksum, and the
benchmark fails unless all implementations pop the same key sequence and the heaps left by update,
remove and load drain to the independently computed sorted keys.

Configurations:
- **QuaternaryHeap**: number ids 0..N-1, as the dispatcher's CronJob ids (dense mode: each id is its
  own handle); \`peekKey()\` then \`pop()\`.
- **flatqueue** 3: \`push(id, key)\`, \`peekValue()\` then \`pop()\`; default growable arrays, and
  "fixed capacity": \`new FlatQueue(N, Float64Array, Uint32Array)\`, typed arrays allocated up front
  (cannot grow past N).
- **tinyqueue** 3 and **heap-js** 2 store values, not (id, key) pairs. The fair configuration is
  \`{ id, key }\` objects (created before timing) with an \`(a, b) => a.key - b.key\` comparator,
  since a scheduler needs the id back. Their fastest configuration, plain numbers with
  \`(a, b) => a - b\`, is shown too, marked "no ids": an upper bound, not something a scheduler
  could use. heap-js goes through \`add()\` (its \`push(...items)\` copies \`arguments\`).
- Steady state pushes the popped id (or object, or number) back with key + delta (1 ms to one
  week), so nothing allocates in the loop. "peek + update" is what the dispatcher does: re-key the
  top entry in place instead of popping it.
- update and remove: QuaternaryHeap only (flatqueue and tinyqueue have neither, heap-js only an
  O(N) \`remove\`). The heap is built with \`load\`, then gets N updates of random ids to random
  keys, or loses a random half of its ids. String ids are \`job-<n>\` and go through the id Map.`;

/** The whole section, heading included. */
export function renderSection(rows: Row[]): string {
  const body = (Object.keys(IMPLS) as Workload[]).map((w) => table(w, rows)).filter(Boolean).join('\n');
  const parts = [DOC_HEADING, `Machine: ${machine()}.`, body, goals(rows), `#### Method\n\n${METHOD}\n`];
  return parts.filter(Boolean).join('\n\n').replace(/\n{3,}/g, '\n\n');
}

function replaceSection(doc: string, section: string): string {
  const start = doc.indexOf(DOC_HEADING);
  if (start < 0) return doc.trimEnd() + '\n\n' + section;
  const next = doc.slice(start + DOC_HEADING.length).search(/^## /m);
  const end = next < 0 ? doc.length : start + DOC_HEADING.length + next;
  return doc.slice(0, start) + section + (next < 0 ? '' : '\n' + doc.slice(end));
}

/** Replaces this benchmark's section of `file` (created if missing) with `section`. */
export function writeSection(file: string, section: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nMeasured on one machine; rerun to compare on yours.\n';
  writeFileSync(file, replaceSection(doc, section));
}
