// One chaos run, from a started private backend to the verdict: fleet up, jobs created, faults for
// the chaos period, everything restored, jobs disabled once every due time of the window has its
// task, a settle period, then the database and the logs are collected and verified.
// Loaded by chaos.ts only after it has pointed the e2e helpers at the run's MariaDB and Redis.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { ApiError, GiveUp, randomId, waitFor } from '../e2e/helpers';
import { FAULT_KINDS, FaultDriver, type FaultKind } from './fault-driver';
import { ChaosFleet } from './fleet';
import { buildJobs } from './job-mix';
import type { PrivateMariaDb, PrivateRedis } from './private-backends';
import { parseWorkerLog, verify, type JobRow, type TaskRow, type VerifyResult } from './verify';

export interface ChaosOptions {
  runDir: string;
  seconds: number;
  jobCount: number;
  seed: number;
  rand: () => number;
  redis: PrivateRedis | null;
  mariadb: PrivateMariaDb | null;
  /** MariaDB server URL without a database. */
  mysqlUrl: string;
  heartbeatSeconds: number;
  /** Inject only these fault kinds. */
  faults?: FaultKind[];
  log: (line: string) => void;
}

const SERVERS = 3;
const WORKERS = 4;
const WORKER_CAPACITY = 16;
/** After the last fault: how long every due time of the window gets to have its task. */
const CATCH_UP_BOUND_MS = 60_000;
/** Settling goes on while live tasks keep ending (a backlog drains), and stops after this long without progress. */
const SETTLE_STALL_MS = 30_000;
const SETTLE_BOUND_MS = 240_000;

export async function runChaos(o: ChaosOptions): Promise<boolean> {
  const { log } = o;
  const fleet = new ChaosFleet({
    runDir: o.runDir,
    servers: SERVERS,
    workers: WORKERS,
    workerCapacity: WORKER_CAPACITY,
    env: {
      CRONFLEET_LEASE_SECONDS: '3',
      CRONFLEET_HEARTBEAT_SECONDS: String(o.heartbeatSeconds),
      CRONFLEET_ACK_TIMEOUT_SECONDS: '3',
      // For diagnosis only, e.g. a --require hook that reports where an unhandled rejection came from.
      ...(process.env.CRONFLEET_CHAOS_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.CRONFLEET_CHAOS_SERVER_NODE_OPTIONS } : {}),
    },
  });
  let db: Connection | null = null;
  try {
    await fleet.start();
    log(`${SERVERS} servers (ports ${fleet.servers.map((s) => s.port).join(', ')}) and ${WORKERS} workers up; database ${fleet.database}`);
    const jobs = buildJobs(o.jobCount, o.rand, join(o.runDir, 'executions.ledger'), `chaos-${randomId(3)}`);
    const ids: number[] = [];
    // A few at a time, through every server: one by one, 200 jobs took 15 s on a loaded machine.
    for (let i = 0; i < jobs.length; i += 8) {
      const made = await Promise.all(jobs.slice(i, i + 8).map((j, k) => fleet.servers[(i + k) % SERVERS].server!.api.createCronJob(j.input)));
      ids.push(...made.map((j) => j.id));
    }
    const fromMs = Date.now() + 1000;
    log(`${ids.length} jobs created; checking due times from ${new Date(fromMs).toISOString()}`);

    const driver = new FaultDriver({ fleet, redis: o.redis, mariadb: o.mariadb, heartbeatSeconds: o.heartbeatSeconds, rand: o.rand, log, only: o.faults });
    await sleep(Math.max(0, fromMs - Date.now()) + 2000);
    await driver.run(fromMs + o.seconds * 1000);
    const toMs = Date.now();
    log(`faults over; checking due times up to ${new Date(toMs).toISOString()}; restoring the fleet`);

    const lateCrashes = await fleet.reviveCrashed();
    await fleet.restoreAll();
    await fleet.waitForLeader(30_000);
    await fleet.waitForWorkersOnline(30_000);
    db = await createConnection({ uri: `${o.mysqlUrl}/${fleet.database}`, timezone: 'Z', supportBigNumbers: true });
    const conn = db;
    await waitFor(
      async () => {
        const [rows] = await conn.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM cronjobs WHERE enabled = 1 AND next_run_at <= ?', [new Date(toMs)]);
        return Number(rows[0].n) === 0;
      },
      { timeoutMs: CATCH_UP_BOUND_MS, what: 'every job to be past the end of the window (next_run_at)', intervalMs: 500 },
    );
    const api = fleet.api();
    let serverErrors = 0;
    const disable = (id: number): Promise<boolean> =>
      waitFor(
        () =>
          api.updateCronJob(id, { enabled: false }).then(
            () => true,
            (e: unknown) => {
              if (e instanceof ApiError && e.status >= 500) {
                serverErrors++;
                log(`PATCH /cronjobs/${id} answered ${e.status} (retrying): ${e.text.slice(0, 200)}`);
                return false;
              }
              throw e;
            },
          ),
        { timeoutMs: 10_000, what: `job ${id} to be disabled`, intervalMs: 200 },
      );
    for (let i = 0; i < ids.length; i += 8) await Promise.all(ids.slice(i, i + 8).map(disable));
    if (serverErrors) log(`${serverErrors} 5xx answer(s) while disabling the jobs (see the servers' logs)`);
    log('all jobs disabled; letting live tasks end');
    let lastNote = Date.now();
    let fewest = Infinity;
    let progressAt = Date.now();
    await waitFor(
      async () => {
        const [rows] = await conn.query<RowDataPacket[]>("SELECT status, COUNT(*) AS n FROM tasks WHERE status IN ('pending', 'running') GROUP BY status");
        const live = rows.reduce((n, r) => n + Number(r.n), 0);
        if (live < fewest) [fewest, progressAt] = [live, Date.now()];
        if (live > 0 && Date.now() - progressAt > SETTLE_STALL_MS) throw new GiveUp(`${live} task(s) live and none ended for ${SETTLE_STALL_MS / 1000} s`);
        if (rows.length && Date.now() - lastNote >= 5000) {
          lastNote = Date.now();
          log(`still live: ${rows.map((r) => `${r.n} ${r.status}`).join(', ')}`);
        }
        return live === 0;
      },
      { timeoutMs: SETTLE_BOUND_MS, what: 'no live task', intervalMs: 500 },
    ).then(() => true, (e: unknown) => (log(`settling ended: ${(e as Error).message.split('\n')[0]}; what is still live is reported as stuck`), false));
    await sleep(500); // the last log lines reach their files

    const result = verify({ fromMs, toMs, ...(await collect(conn, fleet)), executions: readLedger(join(o.runDir, 'executions.ledger')) });
    const problems = [...driver.problems, ...lateCrashes.map((c) => `crash: ${c}`)];
    if (problems.length) result.violations.push(`fault driver: ${problems.length}`, ...problems.map((p) => `  ${p}`));
    report(o, driver, result, log);
    return result.violations.length === 0;
  } finally {
    await db?.end().catch(() => undefined);
    await fleet.stop();
  }
}

async function collect(db: Connection, fleet: ChaosFleet): Promise<Pick<Parameters<typeof verify>[0], 'jobs' | 'tasks' | 'workerOnline' | 'logged'>> {
  const [jobRows] = await db.query<RowDataPacket[]>('SELECT id, name, schedule, timezone, misfire_policy, created_at FROM cronjobs');
  const jobs: JobRow[] = jobRows.map((r) => ({
    id: Number(r.id), name: String(r.name), schedule: String(r.schedule), timezone: String(r.timezone),
    misfirePolicy: r.misfire_policy as JobRow['misfirePolicy'], createdAtMs: (r.created_at as Date).getTime(),
  }));
  const [taskRows] = await db.query<RowDataPacket[]>(
    'SELECT id, cronjob_id, scheduled_at, attempt, shard_index, `trigger`, status, exit_code, worker_id, retry_of, error FROM tasks',
  );
  const tasks: TaskRow[] = taskRows.map((r) => ({
    id: Number(r.id), cronjobId: r.cronjob_id === null ? null : Number(r.cronjob_id), scheduledAtMs: (r.scheduled_at as Date).getTime(),
    attempt: Number(r.attempt), shardIndex: Number(r.shard_index), trigger: String(r.trigger), status: String(r.status),
    exitCode: r.exit_code === null ? null : Number(r.exit_code), workerId: r.worker_id === null ? null : Number(r.worker_id),
    retryOf: r.retry_of === null ? null : Number(r.retry_of), errorCode: r.error ? ((JSON.parse(String(r.error)) as { code?: string }).code ?? null) : null,
  }));
  const [workerRows] = await db.query<RowDataPacket[]>('SELECT id, status FROM workers');
  const workerOnline = new Map(workerRows.map((r) => [Number(r.id), r.status === 'online']));
  const logged = fleet.workers.flatMap((w) => parseWorkerLog(w.name, readFileSync(w.logFile, 'utf8')));
  return { jobs, tasks, workerOnline, logged };
}

function readLedger(file: string): Map<number, number> {
  const runs = new Map<number, number>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // no task ran at all: the checks say so
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const id = Number(line.trim());
    runs.set(id, (runs.get(id) ?? 0) + 1);
  }
  return runs;
}

function report(o: ChaosOptions, driver: FaultDriver, result: VerifyResult, log: (line: string) => void): void {
  const c = result.counts;
  const kinds = FAULT_KINDS.map((k) => {
    const why = driver.unavailable.get(k);
    return why ? `${k}: not injected (${why})` : `${k}: ${driver.faults.filter((f) => f.kind === k).length}`;
  });
  const unrecovered = driver.faults.filter((f) => f.recoveredMs === null).length;
  const takeovers = driver.takeoversMs.length ? `${Math.min(...driver.takeoversMs)}-${Math.max(...driver.takeoversMs)} ms` : 'none measured';
  const lines = [
    `chaos run: ${o.seconds} s, ${o.jobCount} jobs, seed ${o.seed} (rerun with --seed ${o.seed})`,
    `faults injected: ${driver.faults.length} (${kinds.join('; ')}); not recovered within the bound: ${unrecovered}; leader takeovers ${takeovers}`,
    `due times in the window: ${c.dueTimes}`,
    `  ran once:               ${c.ranOnce} (of which catch-up runs ${c.caughtUp}, ended lost ${c.ranOnceEndedLost})`,
    `  skipped (recorded):     ${c.skippedRecorded}`,
    `  missed by misfire policy (skip/runOnce, dispatch behind): ${c.missedByMisfirePolicy}`,
    `  missing:                ${c.missing}`,
    `  duplicates:             ${c.duplicates}`,
    `retry attempts: ${c.retries}; due times run again by retry policy: ${c.rerunByRetryPolicy}`,
    `task executions (ledger): ${c.executions}; duplicate executions: ${c.duplicateExecutions}`,
    `stuck tasks after settling: ${c.stuck}`,
    `results in the workers' logs: ${c.loggedResults}; lost results: ${c.lostResults}`,
    result.violations.length ? `VIOLATIONS:\n${result.violations.join('\n')}` : 'no violations',
  ];
  for (const l of lines) log(l);
}
