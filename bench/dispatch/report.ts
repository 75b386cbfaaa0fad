// The Markdown report, and replacing its section of docs/benchmarks.md (other sections untouched).
import { START_MIX } from './jobs';
import type { LagResult } from './lag-scenario';
import type { MachineInfo } from './procfs';
import { START_LEAD_MS, type StartResult } from './start-scenario';
import { int, median, mib, ms, secs } from './stats';
import { renderDelayed, type DelayedResult } from './delayed-scenario';

export const DOC_HEADING = '## Dispatch (npm run bench:dispatch)';

const GOAL_START_MS = 10_000;
const GOAL_RSS_BYTES = 2 ** 30;
const GOAL_P99_MS = 20;

export interface ReportInput {
  machine: MachineInfo;
  mariadb: string;
  busyBefore: string[];
  command: string;
  serverNodeArgs: string[];
  /** The server measured: commit, uncommitted changes, build time. */
  serverVersion: string;
  start?: StartResult;
  delayed?: DelayedResult;
  lag: LagResult[];
}

const verdict = (ok: boolean): string => (ok ? '**met**' : '**not met**');

export function renderReport(r: ReportInput): string {
  const out: string[] = [DOC_HEADING, ''];
  const m = r.machine;
  out.push(
    `Measured ${new Date().toISOString().slice(0, 10)} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node}; MariaDB ${r.mariadb}; ` +
      `Redis on the same host. Load average before the run: ${m.loadAverage}` +
      (r.busyBefore.length ? `; busy in a 2 s sample then: ${r.busyBefore.join(', ')}.` : '; nothing else busy in a 2 s sample then.') +
      ' The columns "other processes" give the CPU anything else on this shared machine used during each measurement.' +
      ` Server: ${r.serverVersion}. Command: \`${r.command}\`` +
      (r.serverNodeArgs.length ? `; server node options: \`${r.serverNodeArgs.join(' ')}\`.` : '; the server runs with Node\'s default options (default heap limit).'),
    '',
  );
  if (r.start) out.push(...renderStart(r.start));
  if (r.delayed) out.push(...renderDelayed(r.delayed, int));
  if (r.lag.length) out.push(...renderLag(r.lag));
  out.push(
    '### Method',
    '',
    '- The server under test is the real `node apiserver/bin/cronfleet-server.js` on MariaDB and Redis (a fresh database `cf_bench_<random>` and Redis prefix per scenario, dropped at the end, also on failure or Ctrl-C). It makes its schema itself on a first start; the bench then writes `cronjobs` rows straight into MariaDB with mysql2 (multi-row INSERTs of 5,000 rows, 40 per transaction) and starts it again.',
    `- Start: time from spawn to the dispatcher's \`leading (epoch N): …, loaded in T ms\` line (which follows migrations, Nest start-up and the Redis lease), and the server's own \`loaded in\` (load + heapify). CPU times are from spawn to the end of sampling; "other processes" is the machine's CPU (/proc/stat) minus the server's and MariaDB's over that time, in cores: load from anything else on this shared machine. RSS is /proc/<pid>/status VmRSS sampled every 100 ms from spawn until 2 s after that line (peak), and VmHWM then. The same data is started ${r.start?.runs.length ?? 3} times (SIGTERM between). Job mix: ${START_MIX} Due times are spread over one hour starting ${START_LEAD_MS / 60_000} min after seeding, each on its schedule's grid: no job comes due and none is a misfire during the starts.`,
    '- Lag: N jobs `@every 1s` (N = due times per second), anchors (created_at) spread evenly over one second (job i at i·1000/N ms), so due times are spread evenly too; first due time 15 s after seeding. Fake workers in the bench process speak the protocol (socket.io-client to `/workers`, `worker:hello` validated with the shared schemas, capacity 10,000 each, the schema\'s maximum; heartbeats as the hello ack asks); on `task:run` they record `Date.now() − scheduledAtMs` (due time → `task:run` received, an upper bound of due → sent on the same host), ack `{ accepted: true }`, and emit `task:update` `running` and `success` at once (acked). Warm-up, then the window; received counts the `task:run`s whose due time is in the window, waiting after it until the server has created tasks past the window and no task due in the window is still pending in the database (at most 60 s); percentiles are over those received. Due times the server reaches late collapse into one `misfire` run per job (the default `runOnce` policy), so a server that falls behind shows fewer received than expected. Duplicates: the same (cronjobId, scheduledAtMs) received twice. CPU: utime+stime from /proc over the window, in cores; the bench process (its fake workers) shares the cores with the server and MariaDB; "other processes" is the CPU of the whole machine minus those three. MariaDB statement counts are its global counters (server-wide) over the window; bench loop delay is the event-loop delay of the bench process, its own share of the measured lag.',
    '',
  );
  return out.join('\n');
}

function renderStart(s: StartResult): string[] {
  const out = [`### Leader start with ${int(s.jobs)} enabled jobs`, ''];
  out.push(
    `Seeding ${int(s.rowsInTable)} rows: ${secs(s.seedMs)} (${int(Math.round(s.rowsInTable / (s.seedMs / 1000)))} rows/s), not part of the start time. ` +
      `Tasks created during the starts: ${int(s.tasksAfter)}.`,
    '',
    '| start | spawn → `leading` line | `loaded in` (server) | `/healthz` 200 | peak RSS | RSS 2 s after | VmHWM | server CPU time | MariaDB CPU time | other processes | jobs loaded |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  s.runs.forEach((r, i) => {
    out.push(
      `| ${i + 1} | ${secs(r.spawnToLeadingMs)} | ${secs(r.leading.loadedMs)} | ${secs(r.healthyMs)} | ${mib(r.peakRssBytes)} | ${mib(r.rssAfterBytes)} | ${mib(r.hwmBytes)} | ${r.cpuSeconds === null ? 'n/a' : `${r.cpuSeconds.toFixed(1)} s`} | ${r.dbCpuSeconds === null ? 'n/a' : `${r.dbCpuSeconds.toFixed(1)} s`} | ${r.otherCpuPerS.toFixed(2)} cores | ${r.leading.jobs === null ? 'n/a' : int(r.leading.jobs)} |`,
    );
  });
  const col = (f: (r: StartResult['runs'][number]) => number | null): number[] => s.runs.map(f).filter((v): v is number => v !== null);
  const agg = (name: string, f: (v: number[]) => number): string => {
    const lead = col((r) => r.spawnToLeadingMs);
    const load = col((r) => r.leading.loadedMs);
    const health = col((r) => r.healthyMs);
    const peak = col((r) => r.peakRssBytes);
    const after = col((r) => r.rssAfterBytes);
    const hwm = col((r) => r.hwmBytes);
    return `| ${name} | ${secs(f(lead))} | ${load.length ? secs(f(load)) : 'n/a'} | ${secs(f(health))} | ${mib(f(peak))} | ${mib(f(after))} | ${hwm.length ? mib(f(hwm)) : 'n/a'} | | | | |`;
  };
  out.push(agg('**median**', median), agg('**max**', (v) => Math.max(...v)), '');
  const worstLead = Math.max(...s.runs.map((r) => r.spawnToLeadingMs));
  const worstRss = Math.max(...s.runs.map((r) => Math.max(r.peakRssBytes, r.hwmBytes ?? 0)));
  out.push(
    `Goal for 1M jobs: start ≤ 10 s: ${verdict(worstLead <= GOAL_START_MS)} (max ${secs(worstLead)}); RSS ≤ 1 GB: ${verdict(worstRss <= GOAL_RSS_BYTES)} (max ${mib(worstRss)}).` +
      (s.jobs !== 1_000_000 ? ` (This run had ${int(s.jobs)} jobs, not 1M.)` : ''),
    '',
  );
  if (s.runs.some((r) => !r.stoppedGracefully)) out.push('A server ignored SIGTERM for 30 s and was killed.', '');
  const warned = s.runs.flatMap((r, i) => r.warnings.map((w) => `start ${i + 1}: \`${w.text}\` ×${w.count}`));
  if (warned.length) out.push(`Server log warnings/errors: ${warned.join('; ')}.`, '');
  const first = s.runs[0];
  out.push('Server log of the first start (ms after spawn):', '', '```');
  for (const l of first.log.slice(-12)) out.push(`+${String(l.atMs).padStart(6)} ${l.text.replace(/^\[\w+\]\s+\d+\s+-\s+.*?\s(LOG|WARN|ERROR)\s+/, '$1 ')}`);
  out.push('```', '');
  return out;
}

function renderLag(results: LagResult[]): string[] {
  const out = ['### Lag from due time to `task:run`, no-op work', ''];
  const r0 = results[0];
  out.push(
    `${r0.workers} fake workers, warm-up ${r0.warmupS} s, window ${r0.measureS} s.`,
    '',
    '| due/s | received / expected | dup. | p50 | p90 | p99 | p99.9 | max | task:run/s during window | server CPU | MariaDB CPU | bench CPU | other processes | bench loop delay p99 / max |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of results) {
    const cores = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(2)} cores`);
    out.push(
      `| ${int(r.rate)} | ${int(r.received)} / ${int(r.expected)} | ${r.duplicates} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.p999)} | ${ms(r.max)} | ${int(Math.round(r.sentPerS))} | ${cores(r.serverCpuPerS)} | ${cores(r.dbCpuPerS)} | ${cores(r.benchCpuPerS)} | ${cores(r.otherCpuPerS)} | ${ms(r.benchLoopP99Ms)} / ${ms(r.benchLoopMaxMs)} |`,
    );
  }
  out.push('');
  for (const r of results) {
    const rows = r.taskRows.map((t) => `${t.trigger}/${t.status} ${int(t.n)}`).join(', ') || 'none';
    out.push(
      `- ${int(r.rate)}/s: p99 per 5 s of the window: ${r.p99By5s.map((v) => ms(v)).join(', ')}. Task rows due in the window: ${rows}. ` +
        `Warm-up arrivals ${int(r.warmupReceived)} / ${int(r.rate * r.warmupS)}; waited ${secs(r.graceMs)} after the window for late arrivals${r.pendingInWindow ? `, and then ${int(r.pendingInWindow)} tasks due in the window were still pending (never sent)` : ''}; workers ready ${r.readyVsFirstDueMs <= 0 ? `${-r.readyVsFirstDueMs} ms before` : `${r.readyVsFirstDueMs} ms after`} the first due time. ` +
        `MariaDB during the window, per second: ${int(Math.round(r.dbPerS.Questions))} statements (${int(Math.round(r.dbPerS.Com_select))} SELECT, ${int(Math.round(r.dbPerS.Com_insert))} INSERT, ${int(Math.round(r.dbPerS.Com_update))} UPDATE, ${int(Math.round(r.dbPerS.Com_commit))} COMMIT), ` +
        `${r.sentPerS > 0 ? (r.dbPerS.Questions / r.sentPerS).toFixed(1) : 'n/a'} statements per task:run sent, ${(r.dbPerS.Innodb_deadlocks).toFixed(1)} deadlocks/s. ` +
        `task:update sent ${int(r.updatesSent)}, not recorded ${int(r.updatesNotRecorded)}, ack timeouts ${int(r.updateAckTimeouts)}; invalid task:run ${r.invalid}.` +
        (r.serverWarnings.length ? ` Server log warnings/errors: ${r.serverWarnings.map((w) => `\`${w.text}\` ×${int(w.count)}`).join('; ')}.` : ' No warnings or errors in the server log.'),
    );
  }
  const at1k = results.find((r) => r.rate === 1000);
  out.push('');
  if (at1k) out.push(`Goal p99 ≤ ${GOAL_P99_MS} ms at 1k/s: ${verdict(at1k.p99 <= GOAL_P99_MS && at1k.received === at1k.expected)} (p99 ${ms(at1k.p99)}, ${int(at1k.received)} of ${int(at1k.expected)} received).`, '');
  return out;
}
