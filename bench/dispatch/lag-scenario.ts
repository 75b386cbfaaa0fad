// Dispatch lag: `rate` jobs `@every 1s` (so `rate` due times per second), fake workers in this
// process, and for every `task:run` the time from its due time to its arrival.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, countRows, dbCounters, insertJobs, newBackend, utcDatetime, type DbCounters } from './backend';
import { createSchema, log, serverEnv, sleepUntil, spawnServer, type BenchSetup } from './harness';
import { everySecondJobs } from './jobs';
import { cpuSeconds, findDatabasePid, machineBusySeconds } from './procfs';
import { Arrivals, FakeWorker } from './fake-worker';
import { percentile, sortedCopy } from './stats';

/** The first due time is this far after seeding: server start and worker hello fit before it. */
const LEAD_MS = 15_000;
/** Capacity each fake worker announces: the protocol's maximum (WorkerHelloSchema caps it at 10,000). */
const WORKER_CAPACITY = 10_000;
/** After the window, late arrivals are awaited at most this long. */
const MAX_GRACE_MS = 60_000;
/** Time for the last `task:run`s in flight to arrive once the database says all were sent. */
const IN_FLIGHT_MS = 1000;

export interface LagOptions {
  rate: number;
  workers: number;
  warmupS: number;
  measureS: number;
}

export interface LagResult extends LagOptions {
  expected: number;
  received: number;
  /** Arrivals for due times in the warm-up window; expected there: rate × warmupS. */
  warmupReceived: number;
  /** `task:run`s that arrived during the window (whatever their due time), per second: the throughput. */
  sentPerS: number;
  /** MariaDB statements (and deadlocks) per second during the window, server-wide. */
  dbPerS: DbCounters;
  /** How long after the window the bench waited for late arrivals. */
  graceMs: number;
  /** Tasks due in the window still pending (created, never sent) when the bench stopped waiting. */
  pendingInWindow: number;
  duplicates: number;
  invalid: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  min: number;
  /** p99 per 5 s of the window, in order: shows whether the lag grows. */
  p99By5s: number[];
  serverCpuPerS: number | null;
  dbCpuPerS: number | null;
  benchCpuPerS: number;
  /** CPU the rest of the machine used during the window (others' load, Redis, kernel threads), in cores. */
  otherCpuPerS: number;
  /** This process's own event-loop delay during the window (its share of the measured lag). */
  benchLoopP99Ms: number;
  benchLoopMaxMs: number;
  updatesSent: number;
  updatesNotRecorded: number;
  updateAckTimeouts: number;
  /** Task rows with due times in the window, by trigger and status, as the database has them. */
  taskRows: { trigger: string; status: string; n: number }[];
  /** ms between the first due time and the moment the workers were all ready (negative: ready in time). */
  readyVsFirstDueMs: number;
  leadingText: string;
  /** Warnings and errors the server logged during the run, alike ones counted together (digits as N). */
  serverWarnings: { text: string; count: number }[];
}

export async function runLagScenario(setup: BenchSetup, o: LagOptions): Promise<LagResult> {
  const backend = newBackend();
  try {
    const env = serverEnv(setup, backend);
    log(`lag ${o.rate}/s: creating schema in ${backend.database}`);
    await createSchema(setup, env);

    const firstDueMs = Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000;
    await insertJobs(backend.database, o.rate, everySecondJobs(o.rate, firstDueMs), { rowsPerStatement: 5000, statementsPerTransaction: 100 });
    log(`lag ${o.rate}/s: ${o.rate} jobs @every 1s seeded; first due in ${firstDueMs - Date.now()} ms`);

    const server = await spawnServer(setup, env);
    const leading = await server.waitForLeading(120_000);
    await server.waitForHealthy(120_000);
    const arrivals = new Arrivals();
    const workers = Array.from({ length: o.workers }, (_, i) => new FakeWorker(server.url, env.workerToken, `bench-w${i + 1}`, WORKER_CAPACITY, arrivals));
    try {
      await Promise.all(workers.map((w) => w.start()));
      const readyVsFirstDueMs = Date.now() - firstDueMs;
      log(`lag ${o.rate}/s: ${o.workers} workers ready ${readyVsFirstDueMs < 0 ? `${-readyVsFirstDueMs} ms before` : `${readyVsFirstDueMs} ms AFTER`} the first due time`);

      const windowStart = firstDueMs + o.warmupS * 1000;
      const windowEnd = windowStart + o.measureS * 1000;
      const dbPid = findDatabasePid();
      await sleepUntil(windowStart);
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const db0 = await dbCounters();
      const cpu0 = { server: cpuSeconds(server.pid), db: dbPid ? cpuSeconds(dbPid) : null, bench: process.cpuUsage(), machine: machineBusySeconds(), at: Date.now() };
      await sleepUntil(windowEnd);
      const cpu1 = { server: cpuSeconds(server.pid), db: dbPid ? cpuSeconds(dbPid) : null, bench: process.cpuUsage(cpu0.bench), machine: machineBusySeconds(), at: Date.now() };
      const db1 = await dbCounters();
      loop.disable();
      const wallS = (cpu1.at - cpu0.at) / 1000;

      const serverCpuPerS = cpu0.server !== null && cpu1.server !== null ? (cpu1.server - cpu0.server) / wallS : null;
      const dbCpuPerS = cpu0.db !== null && cpu1.db !== null ? (cpu1.db - cpu0.db) / wallS : null;
      const benchCpuPerS = (cpu1.bench.user + cpu1.bench.system) / 1e6 / wallS;
      const otherCpuPerS = (cpu1.machine - cpu0.machine) / wallS - (serverCpuPerS ?? 0) - (dbCpuPerS ?? 0) - benchCpuPerS;
      const expected = o.rate * o.measureS;
      const inWindow = (): number => arrivals.dueMs.reduce((n, d) => (d >= windowStart && d < windowEnd ? n + 1 : n), 0);
      const graceEnd = Date.now() + MAX_GRACE_MS;
      const pendingInWindow = await waitForWindow(backend.database, windowStart, windowEnd, () => inWindow() >= expected, graceEnd);

      const cut = cutWindow(arrivals, { firstDueMs, windowStart, windowEnd, sentFrom: cpu0.at, sentTo: cpu1.at });
      const sorted = cut.lags;
      const snapshot = {
        duplicates: arrivals.duplicates,
        invalid: arrivals.invalid,
        updatesSent: arrivals.updatesSent,
        updatesNotRecorded: arrivals.updatesNotRecorded,
        updateAckTimeouts: arrivals.updateAckTimeouts,
      };
      const taskRows = (await countRows(
        backend.database,
        'SELECT `trigger` AS `trigger`, status, COUNT(*) AS n FROM tasks WHERE scheduled_at >= ? AND scheduled_at < ? GROUP BY `trigger`, status ORDER BY `trigger`, status',
        [utcDatetime(windowStart), utcDatetime(windowEnd)],
      )) as unknown as { trigger: string; status: string; n: number }[];
      return {
        ...o,
        expected,
        received: sorted.length,
        sentPerS: cut.sentInWindow / wallS,
        graceMs: Date.now() - windowEnd,
        dbPerS: Object.fromEntries(Object.entries(db1).map(([k, v]) => [k, (v - db0[k as keyof DbCounters]) / wallS])) as DbCounters,
        pendingInWindow,
        warmupReceived: cut.warmupReceived,
        ...snapshot,
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        p999: percentile(sorted, 99.9),
        max: sorted.length ? sorted[sorted.length - 1] : NaN,
        min: sorted.length ? sorted[0] : NaN,
        p99By5s: cut.p99By5s,
        serverCpuPerS,
        dbCpuPerS,
        benchCpuPerS,
        otherCpuPerS,
        benchLoopP99Ms: loop.percentile(99) / 1e6,
        benchLoopMaxMs: loop.max / 1e6,
        taskRows: taskRows.map((r) => ({ trigger: String(r.trigger), status: String(r.status), n: Number(r.n) })),
        readyVsFirstDueMs,
        leadingText: leading.text,
        serverWarnings: server.warnings(),
      };
    } finally {
      for (const w of workers) w.close();
      await server.stop();
    }
  } finally {
    await backend.release();
  }
}


/**
 * Waits until every due time of the window has been dealt with: the server has created tasks past the
 * window (so its ticks passed it) and none of the window's tasks is still pending; or until `done()`
 * or the deadline. Returns how many of the window's tasks were still pending at the end.
 */
async function waitForWindow(database: string, windowStart: number, windowEnd: number, done: () => boolean, deadline: number): Promise<number> {
  const conn = await connect(database);
  try {
    const pending = async (): Promise<number> => {
      const [rows] = await conn.query("SELECT COUNT(*) AS n FROM tasks WHERE status = 'pending' AND scheduled_at >= ? AND scheduled_at < ?", [
        utcDatetime(windowStart),
        utcDatetime(windowEnd),
      ]);
      return Number((rows as { n: number }[])[0].n);
    };
    const passed = async (): Promise<boolean> => {
      const [rows] = await conn.query('SELECT scheduled_at AS at FROM tasks ORDER BY id DESC LIMIT 1');
      const at = (rows as { at: Date }[])[0]?.at;
      return at !== undefined && at.getTime() >= windowEnd;
    };
    for (;;) {
      if (done()) return 0;
      if ((await passed()) && (await pending()) === 0) {
        await sleep(IN_FLIGHT_MS);
        return 0;
      }
      if (Date.now() >= deadline) return pending();
      await sleep(250);
    }
  } finally {
    await conn.end();
  }
}

/** The arrivals of the window: their lags (sorted), p99 per 5 s of due time, and counts around it. */
function cutWindow(
  arrivals: Arrivals,
  w: { firstDueMs: number; windowStart: number; windowEnd: number; sentFrom: number; sentTo: number },
): { lags: Float64Array; p99By5s: number[]; warmupReceived: number; sentInWindow: number } {
  const lags: number[] = [];
  const buckets: number[][] = Array.from({ length: Math.ceil((w.windowEnd - w.windowStart) / 5000) }, () => []);
  let warmupReceived = 0;
  let sentInWindow = 0;
  for (let i = 0; i < arrivals.dueMs.length; i++) {
    const due = arrivals.dueMs[i];
    const lag = arrivals.lagMs[i];
    if (due + lag >= w.sentFrom && due + lag < w.sentTo) sentInWindow++;
    if (due >= w.firstDueMs && due < w.windowStart) warmupReceived++;
    if (due < w.windowStart || due >= w.windowEnd) continue;
    lags.push(lag);
    buckets[Math.floor((due - w.windowStart) / 5000)].push(lag);
  }
  return { lags: sortedCopy(lags), p99By5s: buckets.map((b) => percentile(sortedCopy(b), 99)), warmupReceived, sentInWindow };
}
