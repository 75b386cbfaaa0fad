// The Markdown section of bench:api: medians over the rounds with min–max, Cronfleet beside its
// reference from the same rounds, and the busy figures beside the idle ones.
import type { MachineInfo } from '../dispatch/procfs';
import { int } from '../dispatch/stats';
import { CASE_INFO, type CaseName } from './cases';
import type { CpuWindow } from './cpu-meter';
import type { LoadSample } from './http-load';

export const DOC_HEADING = '## API (npm run bench:api)';

/** One window of one side. */
export interface Measurement {
  load: LoadSample;
  cpu: CpuWindow;
  /** MariaDB's global `Questions` counter over the window: statements from every client of that MariaDB, this server's and anyone else's. */
  dbStatements: number;
  /** Busy windows: http tasks run per second (requests the HTTP target answered). */
  tasksRunPerS?: number;
}

export interface CaseResult {
  name: CaseName;
  /** Why Cronfleet was not measured (the batch endpoint is missing), with the probe's answer. */
  skipped: string | null;
  cronfleet: Measurement[];
  reference: Measurement[];
  busy: Measurement[];
}

export interface ReportInput {
  machine: MachineInfo;
  mariadb: string;
  redis: string;
  busyBefore: string[];
  command: string;
  serverVersion: string;
  serverNodeArgs: string[];
  rounds: number;
  seconds: number;
  concurrency: number;
  taskRows: number;
  seedMs: number;
  busy: { rate: number; workers: number; capacity: number } | null;
  cases: CaseResult[];
  warnings: { phase: string; text: string; count: number }[];
  profiles: string[];
}

const GOALS = { healthzVsBare: 0.5, tasksPerS: 5000, tasksVsBullmq: 0.2, embeddedTasksPerS: 3000, batchTasksPerS: 25_000, batchVsBullmqAdd: 1.0, cronjobsPerS: 2000, listPerS: 3000, p99Ms: 50 };

/** The middle value, or the mean of the two middle ones (2 rounds give their mean, not the lower one). */
function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const h = Math.floor(v.length / 2);
  return v.length === 0 ? NaN : v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

const rate = (m: Measurement): number => m.load.items / (m.load.wallMs / 1000);
/**
 * Fewer answers than this in a window and its per-request figures are left out: a window where the
 * server answered twice would charge it all the CPU of its dispatching.
 */
const MIN_ANSWERS = 20;

/** CPU ms per unit of the rate (request, or task for the batch). */
const perUnit = (cpu: number | null, m: Measurement): number | null => (cpu === null || m.load.ok < MIN_ANSWERS ? null : (cpu * 1000) / m.load.items);
const medianOf = (ms: Measurement[], f: (m: Measurement) => number | null | undefined): number | null => {
  const v = ms.map(f).filter((x): x is number => x !== null && x !== undefined && !Number.isNaN(x));
  return v.length ? median(v) : null;
};
const msf = (v: number | null): string => (v === null || Number.isNaN(v) ? 'n/a' : v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`);
const cpuf = (v: number | null): string => (v === null ? 'n/a' : v < 0.1 ? v.toFixed(3) : v.toFixed(2));
const ratiof = (v: number | null): string => (v === null ? '' : v < 0.1 ? `${v.toFixed(3)}×` : `${v.toFixed(2)}×`);
const verdict = (ok: boolean): string => (ok ? '**met**' : '**not met**');

function rateCell(ms: Measurement[], unit: string): string {
  if (ms.length === 0) return 'n/a';
  const r = ms.map(rate);
  const lo = Math.min(...r);
  const hi = Math.max(...r);
  return `${int(Math.round(median(r)))} ${unit}/s${ms.length > 1 ? ` (${int(Math.round(lo))}–${int(Math.round(hi))})` : ''}`;
}

function cpuCell(ms: Measurement[]): string {
  return [(m: Measurement) => perUnit(m.cpu.app, m), (m: Measurement) => perUnit(m.cpu.db, m), (m: Measurement) => perUnit(m.cpu.redis, m)].map((f) => cpuf(medianOf(ms, f))).join(' / ');
}

function statementsCell(ms: Measurement[]): string {
  const v = medianOf(ms, (m) => (m.load.ok < MIN_ANSWERS ? null : m.dbStatements / m.load.items));
  return v === null ? 'n/a' : v.toFixed(1);
}

function errorCell(ms: Measurement[]): string {
  const n = ms.reduce((a, m) => a + m.load.errors, 0);
  const first = ms.find((m) => m.load.firstError)?.load.firstError;
  return `${int(n)}${first ? ` (${first.slice(0, 80).replace(/\|/g, '\\|').replace(/\s+/g, ' ')})` : ''}`;
}

/** Median over rounds of Cronfleet's rate divided by the reference's in the same round. */
function pairedRatio(a: Measurement[], b: Measurement[]): number | null {
  const n = Math.min(a.length, b.length);
  if (n === 0) return null;
  return median(Array.from({ length: n }, (_, i) => rate(a[i]) / rate(b[i])));
}

export function renderReport(r: ReportInput): string {
  const m = r.machine;
  const out: string[] = [DOC_HEADING, ''];
  out.push(
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node}; MariaDB ${r.mariadb}; Redis ${r.redis}; all on the same host. ` +
      `**Load average before the run: ${m.loadAverage}**` +
      (r.busyBefore.length ? `; busy in a 2 s sample then: ${r.busyBefore.join(', ')}.` : '; nothing else busy in a 2 s sample then.') +
      ` Server: ${r.serverVersion}${r.serverNodeArgs.length ? `, node options \`${r.serverNodeArgs.join(' ')}\`` : ''}. Command: \`${r.command}\`.`,
    '',
    `${r.rounds} round(s) of ${r.seconds} s per request and side, ${r.concurrency} concurrent keep-alive clients (BullMQ: ${r.concurrency} calls in flight); ${int(r.taskRows)} task rows (seeded in ${(r.seedMs / 1000).toFixed(1)} s). ` +
      'Rates are medians over the rounds (min–max); p50 and p99 are medians of the rounds\' percentiles; CPU is per request (batch: per task), median over the rounds, of the process doing the work (the Cronfleet server, the bare node:http server, the BullMQ client), MariaDB and Redis.',
    '',
  );
  const idle = r.cases.filter((c) => c.cronfleet.length > 0 || c.reference.length > 0 || c.skipped);
  if (idle.length) {
    out.push(
      '| request | measured | rate | p50 | p99 | CPU ms per request: process / MariaDB / Redis | MariaDB statements per request | errors | Cronfleet ÷ reference |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const c of idle) {
      const info = CASE_INFO[c.name];
      if (c.skipped) out.push(`| ${info.title} | Cronfleet | skipped: not available | | | | | | |`);
      else
        out.push(
          `| ${info.title} | Cronfleet | ${rateCell(c.cronfleet, info.unit)} | ${msf(medianOf(c.cronfleet, (x) => x.load.p50))} | ${msf(medianOf(c.cronfleet, (x) => x.load.p99))} | ${cpuCell(c.cronfleet)} | ${statementsCell(c.cronfleet)} | ${errorCell(c.cronfleet)} | ${ratiof(pairedRatio(c.cronfleet, c.reference))} |`,
        );
      if (info.reference && c.reference.length)
        out.push(`| | ${info.reference.label} | ${rateCell(c.reference, info.reference.unit)} | ${msf(medianOf(c.reference, (x) => x.load.p50))} | ${msf(medianOf(c.reference, (x) => x.load.p99))} | ${cpuCell(c.reference)} | ${statementsCell(c.reference)} | ${errorCell(c.reference)} | |`);
    }
    out.push('');
    const skipped = idle.filter((c) => c.skipped);
    for (const c of skipped) out.push(`${CASE_INFO[c.name].title}: ${c.skipped}.`, '');
  }
  const busy = r.cases.filter((c) => c.busy.length > 0);
  if (busy.length && r.busy) {
    out.push(
      `### While dispatching ${int(r.busy.rate)} due tasks/s`,
      '',
      `${int(r.busy.rate)} http jobs \`@every 1s\` against a local HTTP server, ${r.busy.workers} real worker processes (capacity ${r.busy.capacity}); the same requests, the idle figures from the rounds above.`,
      '',
      '| request | rate idle | rate busy | busy ÷ idle | p99 idle / busy | server CPU ms per request idle / busy | MariaDB statements per request idle / busy | http tasks run/s during the busy windows |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const c of busy) {
      const info = CASE_INFO[c.name];
      const ri = medianOf(c.cronfleet, rate);
      const rb = medianOf(c.busy, rate);
      out.push(
        `| ${info.title} | ${rateCell(c.cronfleet, info.unit)} | ${rateCell(c.busy, info.unit)} | ${ri && rb !== null ? ratiof(rb / ri) : 'n/a'} | ${msf(medianOf(c.cronfleet, (x) => x.load.p99))} / ${msf(medianOf(c.busy, (x) => x.load.p99))} | ${cpuf(medianOf(c.cronfleet, (x) => perUnit(x.cpu.app, x)))} / ${cpuf(medianOf(c.busy, (x) => perUnit(x.cpu.app, x)))} | ${statementsCell(c.cronfleet)} / ${statementsCell(c.busy)} | ${int(Math.round(medianOf(c.busy, (x) => x.tasksRunPerS) ?? 0))} |`,
      );
    }
    out.push('', 'Busy: the server\'s CPU and statements per request include its dispatching during the window, so they overstate the request\'s own cost.', '');
  }
  out.push(...renderGoals(r), ...renderNoise(r));
  if (r.warnings.length) out.push(`Server log warnings/errors: ${r.warnings.map((w) => `${w.phase}: \`${w.text.slice(0, 160)}\` ×${int(w.count)}`).join('; ')}.`, '');
  if (r.profiles.length) out.push(`CPU profiles of the server: ${r.profiles.map((p) => `\`${p}\``).join(', ')} (\`node build/bench/e2e/profile-summary.js <file>\`).`, '');
  out.push(
    '### Method',
    '',
    '- One `cronfleet-server` (apiserver/bin/cronfleet-server.js) on a fresh MariaDB database and Redis key prefix; 1,000 disabled jobs and the task rows written straight into MariaDB (`INSERT … SELECT` from the sequence engine, as bench:e2e) before it starts. The references run as their own processes on the same machine: a bare `node:http` server answering `{"status":"ok","leader":true}` (Cronfleet\'s `/healthz` also runs `SELECT 1`), and a BullMQ 6 client adding delayed jobs (`delay` one hour, the same `command` payload) to a queue under its own key prefix on the same Redis; the reference\'s keys are deleted after each of its windows.',
    '- Each round measures every selected request, the reference first and then Cronfleet, so machine noise falls on both; the first round starts each with a 1 s warm-up. HTTP load: autocannon in the bench process, C connections each with one request in flight; the rate counts 2xx answers (batch: the `taskId`s in them) over the window; latency is per 2xx answer. BullMQ: C loops, each calling again when its call resolved; its jobs are in Redis (no fsync, as configured here) when the call resolves, Cronfleet\'s tasks are committed in MariaDB when the answer comes.',
    '- The embedded case: a second `cronfleet-server` on the embedded default (a SQLite file in its own data directory, the in-process lock, no MariaDB or Redis), started beside the first and idle while the other is measured; the same request and the same BullMQ reference.',
    '- `POST /api/v1/tasks/batch` is measured only if a one-task probe is answered 2xx. `POST /api/v1/cronjobs` creates enabled jobs with unique names due once a year (`0 3 1 1 *`).',
    '- Busy: after the idle rounds the server is stopped, the busy jobs (their anchors spread evenly over a second) are written, and it is started again with worker processes; its windows start 5 s after the first due time. The dispatch rate is what the HTTP target answered during each window.',
    '- CPU from /proc (utime + stime) over each window: the process doing the work, MariaDB (pid from its pid file), Redis (pid from `INFO server`); both are shared by the whole machine, so their figures include anyone else\'s use. Statements per request: MariaDB\'s global `Questions` counter over the window divided by the requests (batch: tasks) answered, so other clients of the same MariaDB count too. Per-request figures leave out windows with fewer than ' + String(MIN_ANSWERS) + ' answers.',
    '',
  );
  return out.join('\n');
}

function renderGoals(r: ReportInput): string[] {
  const get = (n: CaseName): CaseResult | undefined => r.cases.find((c) => c.name === n && !c.skipped && c.cronfleet.length > 0);
  const rateOf = (ms: Measurement[]): number => medianOf(ms, rate) ?? 0;
  const out: string[] = [];
  const at = r.taskRows >= 1_000_000 ? '' : ` (at ${int(r.taskRows)} task rows, not 1M)`;
  const healthz = get('healthz');
  if (healthz && healthz.reference.length) {
    const x = pairedRatio(healthz.cronfleet, healthz.reference) ?? 0;
    out.push(`- \`GET /healthz\` ≥ ${GOALS.healthzVsBare}× bare node:http: ${verdict(x >= GOALS.healthzVsBare)} (${ratiof(x)}).`);
  }
  const tasks = get('tasks');
  if (tasks) {
    const x = pairedRatio(tasks.cronfleet, tasks.reference);
    const v = rateOf(tasks.cronfleet);
    out.push(`- \`POST /api/v1/tasks\` ≥ ${int(GOALS.tasksPerS)}/s and ≥ ${GOALS.tasksVsBullmq}× BullMQ queue.add: ${verdict(v >= GOALS.tasksPerS && (x === null || x >= GOALS.tasksVsBullmq))} (${int(Math.round(v))}/s${x === null ? '' : `, ${ratiof(x)}`}).`);
  }
  const embedded = get('embedded');
  if (embedded) {
    const v = rateOf(embedded.cronfleet);
    out.push(`- \`POST /api/v1/tasks\` on the embedded default ≥ ${int(GOALS.embeddedTasksPerS)}/s: ${verdict(v >= GOALS.embeddedTasksPerS)} (${int(Math.round(v))}/s).`);
  }
  const batch = r.cases.find((c) => c.name === 'batch');
  if (batch) {
    const add = tasks?.reference.length ? rateOf(tasks.reference) : null;
    if (batch.skipped) out.push(`- \`POST /api/v1/tasks/batch\` ≥ ${int(GOALS.batchTasksPerS)} tasks/s and ≥ ${GOALS.batchVsBullmqAdd}× BullMQ queue.add: not measured (not available).`);
    else {
      const v = rateOf(batch.cronfleet);
      out.push(`- \`POST /api/v1/tasks/batch\` ≥ ${int(GOALS.batchTasksPerS)} tasks/s and ≥ ${GOALS.batchVsBullmqAdd}× BullMQ queue.add: ${verdict(v >= GOALS.batchTasksPerS && (add === null || v >= GOALS.batchVsBullmqAdd * add))} (${int(Math.round(v))} tasks/s${add ? `, ${ratiof(v / add)} of queue.add's ${int(Math.round(add))}/s` : ''}).`);
    }
  }
  for (const [n, goal] of [['cronjobs', GOALS.cronjobsPerS], ['list', GOALS.listPerS]] as const) {
    const c = get(n);
    if (c) out.push(`- ${CASE_INFO[n].title} ≥ ${int(goal)}/s${at}: ${verdict(rateOf(c.cronfleet) >= goal)} (${int(Math.round(rateOf(c.cronfleet)))}/s).`);
    const b = r.cases.find((x) => x.name === n && x.busy.length > 0);
    if (b) out.push(`- ${CASE_INFO[n].title} ≥ ${int(goal / 2)}/s while dispatching: ${verdict(rateOf(b.busy) >= goal / 2)} (${int(Math.round(rateOf(b.busy)))}/s).`);
  }
  const p99s = r.cases.flatMap((c) => [...c.cronfleet, ...c.busy].map((x) => ({ c: c.name, p99: x.load.p99 })));
  if (p99s.length) {
    const worst = p99s.reduce((a, b) => (b.p99 > a.p99 ? b : a));
    out.push(`- p99 ≤ ${GOALS.p99Ms} ms at these rates (every Cronfleet window): ${verdict(worst.p99 <= GOALS.p99Ms)} (worst ${msf(worst.p99)}, ${CASE_INFO[worst.c].title}).`);
  }
  return out.length ? ['Goals of issue 18:', '', ...out, ''] : [];
}

function renderNoise(r: ReportInput): string[] {
  const all = r.cases.flatMap((c) => [...c.cronfleet, ...c.reference]);
  const busy = r.cases.flatMap((c) => c.busy);
  const cores = (ms: Measurement[], f: (w: CpuWindow) => number): string => {
    const v = ms.map((x) => f(x.cpu) / (x.load.wallMs / 1000));
    return `median ${median(v).toFixed(2)}, max ${Math.max(...v).toFixed(2)} cores`;
  };
  const out: string[] = [];
  if (all.length) out.push(`Idle windows: the load generator (this process) used ${cores(all, (w) => w.bench)}; everything else on the machine (not the measured process, MariaDB, Redis or the bench) ${cores(all, (w) => w.other)}.`);
  if (busy.length) out.push(`Busy windows: the bench (load generator and HTTP target) ${cores(busy, (w) => w.bench)}; everything else (workers included) ${cores(busy, (w) => w.other)}.`);
  return out.length ? [...out, ''] : [];
}
