/**
 * `npm run bench:schedule` — our schedule evaluator (apiserver/src/scheduling/schedule.ts)
 * against cron-parser 5, the library most Node schedulers use: time per next due time, and whether
 * the two agree.
 *
 * Usage: node build/bench/schedule.bench.js [--write] [--runs N]
 *   --write   also replaces the "## Schedule" section of docs/benchmarks.md with the results.
 *   --runs    timed runs per case (default 7); the median is reported.
 *
 * Method. For each expression and zone, both walk the same COUNT successive due times from the same
 * start (2026-01-01T00:00:00Z, so the walk crosses the zone's DST changes of 2026), after two
 * untimed warm-up walks. Ours: parseSchedule once, then nextRunAtMs from the previous result.
 * cron-parser: CronExpressionParser.parse once, then next() repeatedly. µs/next = median walk time
 * / COUNT. "Agree" compares the two sequences; where they differ the first difference is printed.
 * cron-parser is not the reference for correctness here (the spec tables are, worked out by hand):
 * it is known to be wrong around Australia/Lord_Howe's 30-minute DST shift.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { nextRunAtMs, parseSchedule } from '@cronfleet/shared';
import { findRepoRoot } from '../test/support/local-host';

const START_MS = Date.parse('2026-01-01T00:00:00Z');
const COUNT = 2000;
const DOC_HEADING = '## Schedule (npm run bench:schedule)';
/** A case (both evaluators, all runs) that takes longer is reported as not finishing. */
const CASE_TIMEOUT_MS = 60_000;

interface Case {
  expression: string;
  timezone: string;
  /** cron-parser needs the seconds field spelled out for 6-field expressions; the same text works for both here. */
  note?: string;
}

const CASES: Case[] = [
  { expression: '*/5 * * * *', timezone: 'UTC' },
  { expression: '0 3 * * *', timezone: 'UTC' },
  { expression: '0 9 * * 1-5', timezone: 'Europe/Berlin' },
  { expression: '30 2 * * *', timezone: 'America/New_York', note: '02:30 is skipped on the spring-forward day' },
  { expression: '0 0 13 * 5', timezone: 'UTC', note: 'day-of-month OR day-of-week' },
  { expression: '0 0 29 2 *', timezone: 'UTC', note: 'leap days only: far apart' },
  { expression: '*/20 * * * * *', timezone: 'UTC', note: '6 fields, seconds' },
  { expression: '30 2 * * *', timezone: 'Australia/Lord_Howe', note: '30-minute DST shift' },
  { expression: '0 0 */2 * * *', timezone: 'Australia/Lord_Howe', note: '30-minute DST shift' },
];

function ours(c: Case): number[] {
  const schedule = parseSchedule(c.expression, c.timezone);
  const out: number[] = [];
  let at = START_MS;
  for (let i = 0; i < COUNT; i++) {
    const next = nextRunAtMs(schedule, at);
    if (next === null) break;
    out.push(next);
    at = next;
  }
  return out;
}

function theirs(c: Case): number[] {
  const it = CronExpressionParser.parse(c.expression, { currentDate: new Date(START_MS), tz: c.timezone });
  const out: number[] = [];
  for (let i = 0; i < COUNT; i++) out.push(it.next().getTime());
  return out;
}

/** Median ms of `runs` timed walks after two warm-ups; the last walk's result with it. A walk that throws (or hangs past 30 s) is reported as such. */
function time(walk: () => number[], runs: number): { ms: number; result: number[] } | { error: string } {
  try {
    walk();
    walk();
    const times: number[] = [];
    let result: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint();
      result = walk();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (times[times.length - 1] > 30_000) break;
    }
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)], result };
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
}

function agreement(a: number[], b: number[]): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return `no: #${i + 1} ours ${new Date(a[i]).toISOString()}, cron-parser ${new Date(b[i]).toISOString()}`;
  }
  return a.length === b.length ? 'yes' : `no: ${a.length} vs ${b.length} times`;
}

/** Child side: one case, both evaluators, printed as one JSON line. */
function runCase(c: Case, runs: number): void {
  const a = time(() => ours(c), runs);
  const b = time(() => theirs(c), runs);
  const us = (r: typeof a) => ('error' in r ? `error: ${r.error}` : ((r.ms * 1000) / COUNT).toFixed(2));
  const agree = 'error' in a || 'error' in b ? '—' : agreement(a.result, b.result);
  const ratio = 'error' in a || 'error' in b ? '—' : `${(b.ms / a.ms).toFixed(0)}×`;
  process.stdout.write(JSON.stringify([us(a), us(b), ratio, agree]));
}

function main(): void {
  const args = process.argv.slice(2);
  const value = (name: string): string | undefined => {
    const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    return args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
  };
  const runs = Number(value('--runs') ?? 7);
  const caseIndex = value('--case');
  if (caseIndex !== undefined) return runCase(CASES[Number(caseIndex)], runs);

  const rows: string[] = [];
  CASES.forEach((c, i) => {
    let cells: string[];
    try {
      // A child per case: cron-parser is known to loop forever on some Lord_Howe expressions.
      const out = execFileSync(process.execPath, [__filename, '--case', String(i), '--runs', String(runs)], { timeout: CASE_TIMEOUT_MS, encoding: 'utf8' });
      cells = JSON.parse(out) as string[];
    } catch (e) {
      const timedOut = (e as { signal?: string }).signal === 'SIGTERM';
      cells = ['—', timedOut ? `did not finish in ${CASE_TIMEOUT_MS / 1000} s` : `error: ${(e as Error).message.split('\n')[0]}`, '—', '—'];
    }
    const row = `| \`${c.expression}\` | ${c.timezone} | ${cells.join(' | ')} | ${c.note ?? ''} |`;
    console.error(row);
    rows.push(row);
  });
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const section = [
    DOC_HEADING,
    '',
    `Machine: ${cpu}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Command: \`npm run bench:schedule\`.`,
    '',
    `Each row walks ${COUNT} successive due times from 2026-01-01T00:00:00Z (crossing the zone's 2026 DST changes); µs per next due time, median of ${runs} walks after two warm-ups. "Agree": the same ${COUNT} instants from both; cron-parser is not the reference (the spec tables are), so a "no" names the first difference for a person to judge.`,
    '',
    '| expression | zone | ours µs/next | cron-parser 5 µs/next | speed-up | agree | note |',
    '|---|---|---:|---:|---:|---|---|',
    ...rows,
    '',
  ].join('\n');
  process.stdout.write(section + '\n');
  if (args.includes('--write')) {
    const file = path.join(findRepoRoot(__dirname), 'docs/benchmarks.md');
    const doc = readFileSync(file, 'utf8');
    const start = doc.indexOf(DOC_HEADING);
    let next: string;
    if (start < 0) {
      const notes = doc.indexOf('## Notes');
      next = notes < 0 ? `${doc.trimEnd()}\n\n${section}` : `${doc.slice(0, notes)}${section}\n${doc.slice(notes)}`;
    } else {
      const rest = doc.slice(start + DOC_HEADING.length).search(/^## /m);
      next = doc.slice(0, start) + section + (rest < 0 ? '' : '\n' + doc.slice(start + DOC_HEADING.length + rest));
    }
    writeFileSync(file, next);
    console.error(`wrote ${DOC_HEADING} to ${file}`);
  }
}

main();
