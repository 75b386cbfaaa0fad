// The Markdown section of `bench:e2e`, and replacing it in docs/benchmarks.md (other sections untouched).
import type { MachineInfo } from '../dispatch/procfs';
import { int } from '../dispatch/stats';
import type { ApiResult } from './api-scenario';
import type { LoadResult } from './load-scenario';

export const DOC_HEADING = '## End to end (npm run bench:e2e)';
const GOAL_TASKS_PER_S = 2000;
const GOAL_P99_MS = 50;
const GOAL_LAG_RATE = 500;

export interface ReportInput {
  machine: MachineInfo;
  mariadb: string;
  busyBefore: string[];
  command: string;
  serverVersion: string;
  serverNodeArgs: string[];
  load: { label: string; result: LoadResult }[];
  api?: ApiResult;
}

const verdict = (ok: boolean): string => (ok ? '**met**' : '**not met**');
const msf = (v: number): string => (Number.isNaN(v) ? 'n/a' : v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`);
const cores = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(2));
const le = (v: number): string => (Number.isNaN(v) ? 'n/a' : v === Infinity ? '> 60 s' : `≤ ${v} ms`);

export function renderReport(r: ReportInput): string {
  const m = r.machine;
  const out: string[] = [DOC_HEADING, ''];
  out.push(
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node}; MariaDB ${r.mariadb}; Redis on the same host. ` +
      `**Load average before the run: ${m.loadAverage}**` +
      (r.busyBefore.length ? `; busy in a 2 s sample then: ${r.busyBefore.join(', ')}.` : '; nothing else busy in a 2 s sample then.') +
      ` Server: ${r.serverVersion}${r.serverNodeArgs.length ? `, node options \`${r.serverNodeArgs.join(' ')}\`` : ''}. Command: \`${r.command}\`.`,
    '',
  );
  if (r.load.length) out.push(...renderLoad(r.load));
  if (r.api) out.push(...renderApi(r.api));
  out.push(
    '### Method',
    '',
    '- One `cronfleet-server` process (apiserver/bin/cronfleet-server.js) on a fresh MariaDB database and Redis key prefix, and 4 `cronfleet-worker` processes, all on this machine with MariaDB, Redis and the bench process. N cron jobs `@every 1s` are written straight into `cronjobs` before the server starts, their anchors spread evenly over a second, so N tasks fall due every second, evenly. http jobs `GET` a node:http server in the bench process (answer `200 ok`, 3 bytes); command jobs run `true`.',
    '- Warm-up, then the window. "Ended/s" counts the task rows whose `finished_at` falls in the window (the rate at which the system completes tasks with their history written). After the window the bench waits (≤ 60 s) until every task due in the window has a final status, then counts them by trigger and status: "final / due" is the full-history check; `misfire` rows would mean the dispatcher fell behind and collapsed due times. For http, "output stored" counts successful tasks with at least one `task_output` row.',
    '- Lag, two measures. *Start lag* (exact, from the database): `started_at − scheduled_at` of the schedule runs due in the window, i.e. due time → the worker reports the task running (includes the socket hop and, for commands, the spawn). *Send lag* (the server\'s own histogram `cronfleet_schedule_lag_seconds` on /metrics, difference over the window): due time → `task:run` sent; its buckets are coarse, so the table gives the bucket bound that holds p50 / p99.',
    '- CPU in cores over the window from /proc: server; workers including the commands they ran (cutime); MariaDB; the bench process (its HTTP target); "other" is the whole machine minus these (load from anything else on a shared machine). Statements/s: MariaDB\'s global `Questions` counter.',
    '- API: 1M finished task rows over 1,000 (disabled) jobs written with `INSERT … SELECT` from MariaDB\'s sequence engine, then per endpoint a closed loop of C concurrent `fetch` callers (keep-alive) for the stated seconds after a 1 s warm-up; requests/s counts 2xx answers. `POST /api/v1/cronjobs` creates enabled jobs (`0 3 1 1 *`, command `true`); the filtered listing picks a random job per request.',
    '',
  );
  return out.join('\n');
}

function renderLoad(load: ReportInput['load']): string[] {
  const r0 = load[0].result;
  const out = ['### Tasks end to end, with full history', ''];
  out.push(
    `${r0.workers} workers (capacity ${r0.capacity} each), warm-up ${r0.warmupS} s, window ${r0.measureS} s.`,
    '',
    '| run | due/s | ended/s in window (success / other) | final / due in window | output stored | start lag p50 / p90 / p99 / max | send lag p50 / p99 (bucket) | CPU server / workers / MariaDB / bench / other | CPU ms per task ended: server / MariaDB | statements/s (per task) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const { label, result: r } of load) {
    const success = r.endedPerS.success ?? 0;
    const other = Object.entries(r.endedPerS).filter(([s]) => s !== 'success').reduce((a, [, n]) => a + n, 0);
    const all = success + other;
    const perTask = (c: number | null): string => (c === null || all === 0 ? 'n/a' : (c * 1000 / all).toFixed(2));
    const ok = r.dueRows.filter((x) => x.status === 'success').reduce((a, x) => a + x.n, 0);
    out.push(
      `| ${label} | ${int(r.rate)} | ${int(Math.round(success))} / ${int(Math.round(other))} | ${int(r.dueTotal - r.notFinal)} / ${int(r.dueTotal)} (${int(ok)} success) | ${r.withOutput === null ? 'n/a' : `${int(r.withOutput)} / ${int(ok)}`} | ${msf(r.startLag.p50)} / ${msf(r.startLag.p90)} / ${msf(r.startLag.p99)} / ${msf(r.startLag.max)} | ${le(r.sendLag.p50Le)} / ${le(r.sendLag.p99Le)} | ${cores(r.cpu.server)} / ${cores(r.cpu.workers)} / ${cores(r.cpu.db)} / ${cores(r.cpu.bench)} / ${cores(r.cpu.other)} | ${perTask(r.cpu.server)} / ${perTask(r.cpu.db)} | ${int(Math.round(r.dbPerS.Questions))} (${all ? (r.dbPerS.Questions / all).toFixed(1) : 'n/a'}) |`,
    );
  }
  out.push('');
  for (const { label, result: r } of load) {
    const rows = r.dueRows.map((x) => `${x.trigger}/${x.status} ${int(x.n)}`).join(', ') || 'none';
    out.push(
      `- ${label}: due in the window ${int(r.rate * r.measureS)} expected; rows ${rows}; drained in ${(r.drainMs / 1000).toFixed(1)} s${r.notFinal ? `, **${int(r.notFinal)} still not final**` : ''}. ` +
        `Send lag: ${int(r.sendLag.n)} observations, ${Number.isNaN(r.sendLag.under50ms) ? 'n/a' : `${(r.sendLag.under50ms * 100).toFixed(2)} %`} within 50 ms. ` +
        `MariaDB per second: ${int(Math.round(r.dbPerS.Com_select))} SELECT, ${int(Math.round(r.dbPerS.Com_insert))} INSERT, ${int(Math.round(r.dbPerS.Com_update))} UPDATE, ${int(Math.round(r.dbPerS.Com_commit))} COMMIT` +
        (r.httpRequests !== null ? `; HTTP target requests in the window: ${int(r.httpRequests)}` : '') +
        (r.serverWarnings.length ? `. Server log warnings/errors: ${r.serverWarnings.map((w) => `\`${w.text.slice(0, 160)}\` ×${int(w.count)}`).join('; ')}.` : '. No warnings or errors in the server log.') +
        (r.cpuProfileDir ? ` CPU profile: ${r.cpuProfileDir}.` : ''),
    );
  }
  out.push('');
  for (const kind of ['http', 'command'] as const) {
    const runs = load.filter((l) => l.result.kind === kind && l.result.rate !== GOAL_LAG_RATE);
    if (runs.length === 0) continue;
    const best = runs.reduce((a, b) => ((b.result.endedPerS.success ?? 0) > (a.result.endedPerS.success ?? 0) ? b : a)).result;
    const rate = best.endedPerS.success ?? 0;
    const backlog = best.notFinal > 0 ? `, and ${int(best.notFinal)} of the ${int(best.dueTotal)} tasks due in the window were not final 60 s after it: the system fell behind` : ', every task due in the window recorded';
    out.push(`Goal ≥ ${int(GOAL_TASKS_PER_S)} ${kind} tasks/s with every task recorded: ${verdict(rate >= GOAL_TASKS_PER_S && best.notFinal === 0)} (${int(Math.round(rate))} ended/s at ${int(best.rate)} due/s${backlog}).`);
  }
  for (const lagRun of load.filter((l) => l.result.rate === GOAL_LAG_RATE)) {
    const r = lagRun.result;
    out.push(
      `Goal p99 lag ≤ ${GOAL_P99_MS} ms at ${GOAL_LAG_RATE} due/s (${lagRun.label}): send lag (server histogram) ${verdict(r.sendLag.p99Le <= GOAL_P99_MS)} (p99 ${le(r.sendLag.p99Le)}); start lag (database, includes the worker's spawn) ${verdict(r.startLag.p99 <= GOAL_P99_MS)} (p99 ${msf(r.startLag.p99)}).`,
    );
  }
  out.push('');
  return out;
}

function renderApi(a: ApiResult): string[] {
  const out = [`### API at ${int(a.taskRows)} task rows`, ''];
  out.push(
    `Seeding (1,000 jobs + ${int(a.taskRows)} task rows): ${(a.seedMs / 1000).toFixed(1)} s. ${a.concurrency} concurrent callers, ${a.seconds} s per endpoint.`,
    '',
    '| endpoint | requests/s | p50 | p99 | errors | CPU server / MariaDB / other |',
    '|---|---|---|---|---|---|',
  );
  for (const e of a.endpoints) {
    out.push(
      `| \`${e.name}\` | ${int(Math.round(e.perS))} | ${msf(e.p50)} | ${msf(e.p99)} | ${e.errors}${e.firstError ? ` (${e.firstError.slice(0, 80).replace(/\|/g, '\\|')})` : ''} | ${cores(e.serverCpu)} / ${cores(e.dbCpu)} / ${cores(e.otherCpu)} |`,
    );
  }
  out.push('');
  if (a.serverWarnings.length) out.push(`Server log warnings/errors: ${a.serverWarnings.map((w) => `\`${w.text.slice(0, 160)}\` ×${int(w.count)}`).join('; ')}.`, '');
  return out;
}
