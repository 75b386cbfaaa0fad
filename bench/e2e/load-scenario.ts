// One load run: N jobs `@every 1s` (N due times a second, spread evenly) on one real server and
// real workers; then, from the database, how many tasks ended per second, whether every task due
// in the window reached a final status (with its output, for http), and the schedule lag.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dbCounters, newBackend, utcDatetime, type DbCounters } from '../dispatch/backend';
import { createSchema, log, serverEnv, sleepUntil, spawnServer, type BenchSetup } from '../dispatch/harness';
import { cpuSeconds, findDatabasePid, machineBusySeconds, processCpuSeconds } from '../dispatch/procfs';
import type { ServerProcess } from '../dispatch/server-process';
import { percentile, sortedCopy } from '../dispatch/stats';
import { HttpTarget, WorkerProcess, waitForWorkers } from './fleet';
import { databasePid, insertEverySecondJobs, query, type JobRunner } from './seed';

/** Seeding to first due time: enough for the server's start and the workers' hello. */
const LEAD_MS = 25_000;
/** After the window, how long to wait for tasks due in it to reach a final status. */
const DRAIN_MS = 60_000;
const FINAL = "('success','failed','timeout','killed','lost','cancelled','skipped')";

export interface LoadOptions {
  kind: 'http' | 'command';
  /** Due times per second (= jobs `@every 1s`). */
  rate: number;
  workers: number;
  capacity: number;
  warmupS: number;
  measureS: number;
  /** Node options for the worker processes (`--cpu-prof` profiles go next to the server's). */
  workerNodeArgs: string[];
  /** The workers' `--spawn`. */
  workerSpawn: string;
}

export interface CpuShare {
  server: number | null;
  workers: number | null;
  db: number | null;
  bench: number;
  other: number;
}

export interface LoadResult extends LoadOptions {
  /** Tasks that reached a final status during the window, per second, by status. */
  endedPerS: Record<string, number>;
  /** Tasks due in the window, by trigger/status, after the drain. */
  dueRows: { trigger: string; status: string; n: number }[];
  dueTotal: number;
  notFinal: number;
  /** http: tasks due in the window that ended `success` and have stored output. */
  withOutput: number | null;
  drainMs: number;
  /** Due time → `running` reported by the worker (started_at − scheduled_at), ms, schedule runs due in the window. */
  startLag: { n: number; p50: number; p90: number; p99: number; max: number };
  /** The server's histogram over the window: the upper bound of the bucket holding p50 / p99 (dispatch lag: due → task:run sent). */
  sendLag: { n: number; p50Le: number; p99Le: number; under50ms: number };
  cpu: CpuShare;
  dbPerS: DbCounters;
  httpRequests: number | null;
  serverWarnings: { text: string; count: number }[];
  cpuProfileDir: string | null;
}

export async function runLoadScenario(setup: BenchSetup, o: LoadOptions, label: string): Promise<LoadResult> {
  const backend = newBackend();
  try {
    const env = serverEnv(setup, backend);
    log(`${label}: creating schema in ${backend.database}`);
    await createSchema(setup, env);
    const target = o.kind === 'http' ? await HttpTarget.start() : null;
    const job: JobRunner = target ? { runner: 'http', spec: { url: target.url, method: 'GET' } } : { runner: 'command', spec: { command: 'true', args: [], env: {} } };
    const firstDueMs = Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000;
    await insertEverySecondJobs(backend.database, o.rate, firstDueMs, job);
    log(`${label}: ${o.rate} ${o.kind} jobs @every 1s seeded; first due in ${firstDueMs - Date.now()} ms`);

    let cpuProfileDir: string | null = null;
    const profiled = (args: readonly string[], who: string): string[] => {
      if (!args.includes('--cpu-prof') || args.some((a) => a.startsWith('--cpu-prof-dir'))) return [...args];
      cpuProfileDir = join(setup.repoRoot, 'build/bench/e2e-profiles', label.replace(/\W+/g, '-').replace(/-+$/, ''));
      mkdirSync(join(cpuProfileDir, who), { recursive: true });
      return [...args, `--cpu-prof-dir=${join(cpuProfileDir, who)}`];
    };
    const nodeArgs = profiled(setup.serverNodeArgs, 'server');
    const workerArgs = profiled(o.workerNodeArgs, 'workers');
    const server = await spawnServer(setup, env, nodeArgs);
    await server.waitForLeading(120_000);
    await server.waitForHealthy(120_000);
    const workers = Array.from({ length: o.workers }, (_, i) => new WorkerProcess(setup.repoRoot, server, `bench-w${i + 1}`, o.capacity, join(env.dataDir, `w${i + 1}`), workerArgs, ['--spawn', o.workerSpawn]));
    await waitForWorkers(server, workers, 60_000);
    log(`${label}: ${o.workers} workers online ${firstDueMs - Date.now()} ms before the first due time`);

    const windowStart = firstDueMs + o.warmupS * 1000;
    const windowEnd = windowStart + o.measureS * 1000;
    await sleepUntil(windowStart);
    const dbPid = (await databasePid()) ?? findDatabasePid();
    const sample = () => ({
      at: Date.now(),
      server: cpuSeconds(server.pid),
      workers: sumOrNull(workers.map((w) => cpuWithChildren(w.pid))),
      db: dbPid ? cpuSeconds(dbPid) : null,
      bench: process.cpuUsage(),
      machine: machineBusySeconds(),
    });
    const [lag0, db0] = await Promise.all([lagHistogram(server), dbCounters()]);
    const requests0 = target?.requests ?? 0;
    const s0 = sample();
    await sleepUntil(windowEnd);
    const s1 = sample();
    const requests1 = target?.requests ?? 0;
    const [lag1, db1] = await Promise.all([lagHistogram(server), dbCounters()]);
    const wallS = (s1.at - s0.at) / 1000;
    const perS = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : (b - a) / wallS);
    const benchS = (() => {
      const u = process.cpuUsage(s0.bench);
      return (u.user + u.system) / 1e6 / wallS;
    })();
    const known = [perS(s0.server, s1.server), perS(s0.workers, s1.workers), perS(s0.db, s1.db), benchS];
    const cpu: CpuShare = {
      server: known[0],
      workers: known[1],
      db: known[2],
      bench: benchS,
      other: Math.max(0, (s1.machine - s0.machine) / wallS - known.reduce<number>((a, b) => a + (b ?? 0), 0)),
    };
    const dbPerS = Object.fromEntries(Object.keys(db0).map((k) => [k, (db1[k as keyof DbCounters] - db0[k as keyof DbCounters]) / wallS])) as DbCounters;

    const ws = utcDatetime(windowStart);
    const we = utcDatetime(windowEnd);
    const ended = await query<{ status: string; n: number }>(backend.database, 'SELECT status, COUNT(*) AS n FROM tasks WHERE finished_at >= ? AND finished_at < ? GROUP BY status', [ws, we]);
    const endedPerS = Object.fromEntries(ended.map((r) => [r.status, Number(r.n) / o.measureS]));

    const drainStart = Date.now();
    let notFinal = 0;
    for (;;) {
      const [row] = await query<{ n: number }>(backend.database, `SELECT COUNT(*) AS n FROM tasks WHERE scheduled_at >= ? AND scheduled_at < ? AND status NOT IN ${FINAL}`, [ws, we]);
      notFinal = Number(row.n);
      if (notFinal === 0 || Date.now() - drainStart > DRAIN_MS || server.hasExited) break;
      await sleepUntil(Date.now() + 500);
    }
    const drainMs = Date.now() - drainStart;
    const dueRows = (
      await query<{ trigger: string; status: string; n: number }>(
        backend.database,
        'SELECT `trigger`, status, COUNT(*) AS n FROM tasks WHERE scheduled_at >= ? AND scheduled_at < ? GROUP BY `trigger`, status ORDER BY n DESC',
        [ws, we],
      )
    ).map((r) => ({ ...r, n: Number(r.n) }));
    const withOutput =
      o.kind === 'http'
        ? Number(
            (
              await query<{ n: number }>(
                backend.database,
                "SELECT COUNT(*) AS n FROM tasks t WHERE t.scheduled_at >= ? AND t.scheduled_at < ? AND t.status = 'success' AND EXISTS (SELECT 1 FROM task_output o WHERE o.task_id = t.id)",
                [ws, we],
              )
            )[0].n,
          )
        : null;
    const lags = await query<{ lag: string | number }>(
      backend.database,
      "SELECT TIMESTAMPDIFF(MICROSECOND, scheduled_at, started_at) / 1000 AS lag FROM tasks WHERE scheduled_at >= ? AND scheduled_at < ? AND `trigger` = 'schedule' AND started_at IS NOT NULL",
      [ws, we],
    );
    const sorted = sortedCopy(lags.map((r) => Number(r.lag)));
    const result: LoadResult = {
      ...o,
      endedPerS,
      dueRows,
      dueTotal: dueRows.reduce((a, r) => a + r.n, 0),
      notFinal,
      withOutput,
      drainMs,
      startLag: { n: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.length ? sorted[sorted.length - 1] : NaN },
      sendLag: histogramSummary(lag0, lag1),
      cpu,
      dbPerS,
      httpRequests: target ? requests1 - requests0 : null,
      serverWarnings: server.warnings(),
      cpuProfileDir,
    };
    await Promise.all(workers.map((w) => w.stop()));
    await server.stop();
    await target?.close();
    log(`${label}: ${summary(result)}`);
    return result;
  } finally {
    await backend.release();
  }
}

export function summary(r: LoadResult): string {
  const ended = Object.entries(r.endedPerS).map(([s, n]) => `${s} ${Math.round(n)}/s`).join(', ') || 'none';
  return `ended during the window: ${ended}; due in window ${r.dueTotal} (not final after drain: ${r.notFinal}); start lag p50 ${Math.round(r.startLag.p50)} ms p99 ${Math.round(r.startLag.p99)} ms`;
}

/** utime+stime of a process and of its waited-for children (the commands a worker ran), seconds. */
function cpuWithChildren(pid: number): number | null {
  const cpu = processCpuSeconds(pid);
  return cpu && cpu.own + cpu.children;
}

function sumOrNull(values: (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);
}

/** Cumulative bucket counts of `cronfleet_schedule_lag_seconds` by upper bound (s), from /metrics. */
async function lagHistogram(server: ServerProcess): Promise<Map<number, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const out = new Map<number, number>();
  for (const m of text.matchAll(/^cronfleet_schedule_lag_seconds_bucket\{le="([^"]+)"\} (\d+(?:\.\d+)?)/gm)) {
    out.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  }
  return out;
}

function histogramSummary(before: Map<number, number>, after: Map<number, number>): LoadResult['sendLag'] {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const cum = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const n = cum.length ? cum[cum.length - 1] : 0;
  const le = (p: number): number => {
    if (n === 0) return NaN;
    const i = cum.findIndex((c) => c >= (p / 100) * n);
    return i < 0 ? NaN : bounds[i] * 1000;
  };
  const at50 = bounds.indexOf(0.05);
  return { n, p50Le: le(50), p99Le: le(99), under50ms: n && at50 >= 0 ? cum[at50] / n : NaN };
}
