// Rows written straight into the server's tables (its schema, made by its own migrations): the cron
// jobs that drive the load, and the 1M task rows of the API scenario.
import { readFileSync } from 'node:fs';
import { connect, utcDatetime } from '../dispatch/backend';

export type JobRunner = { runner: 'command'; spec: { command: string; args: string[]; env: Record<string, string> } } | { runner: 'http'; spec: { url: string; method: 'GET' } };

const JOB_COLUMNS = '(name, schedule, timezone, runner, spec, timeout_seconds, enabled, next_run_at, created_at, updated_at)';

/**
 * `count` jobs `@every 1s`, their anchors (created_at) spread evenly over one second (job i at
 * floor(i·1000/count) ms), so `count` due times a second arrive evenly; the first at `firstDueMs` + offset.
 * `enabled: false` makes rows for the API scenario that never come due. Names are `namePrefix` + 1..count.
 */
export async function insertEverySecondJobs(database: string, count: number, firstDueMs: number, job: JobRunner, enabled = true, namePrefix = 'bench-'): Promise<void> {
  const conn = await connect(database);
  try {
    const spec = conn.escape(JSON.stringify(job.spec));
    const anchorMs = firstDueMs - 3_600_000;
    for (let from = 0; from < count; from += 2000) {
      const values: string[] = [];
      for (let i = from; i < Math.min(count, from + 2000); i++) {
        const offset = Math.floor((i * 1000) / count);
        const created = `'${utcDatetime(anchorMs + offset)}'`;
        values.push(`(${conn.escape(`${namePrefix}${i + 1}`)},'@every 1s','UTC','${job.runner}',${spec},60,${enabled ? 1 : 0},'${utcDatetime(firstDueMs + offset)}',${created},${created})`);
      }
      await conn.query(`INSERT INTO cronjobs ${JOB_COLUMNS} VALUES ${values.join(',')}`);
    }
  } finally {
    await conn.end();
  }
}

/**
 * `rows` finished tasks spread over the jobs 1..`jobs` (round robin), one due time a second per job
 * going back from now, written by INSERT … SELECT from MariaDB's sequence engine in chunks.
 */
export async function insertTaskHistory(database: string, rows: number, jobs: number, onProgress: (done: number) => void): Promise<void> {
  const conn = await connect(database);
  const chunk = 100_000;
  const nowS = Math.floor(Date.now() / 1000);
  try {
    for (let from = 1; from <= rows; from += chunk) {
      const to = Math.min(rows, from + chunk - 1);
      await conn.query(
        `INSERT INTO tasks (cronjob_id, cronjob_name, \`trigger\`, attempt, status, scheduled_at, started_at, finished_at, exit_code, worker_id, runner, spec, timeout_seconds, created_at)
         SELECT 1 + (seq % ${jobs}), CONCAT('bench-', 1 + (seq % ${jobs})), 'schedule', 1, 'success',
                FROM_UNIXTIME(${nowS} - ${rows} + seq), FROM_UNIXTIME(${nowS} - ${rows} + seq + 0.002), FROM_UNIXTIME(${nowS} - ${rows} + seq + 0.010),
                0, NULL, 'command', '{"command":"true","args":[],"env":{}}', 60, FROM_UNIXTIME(${nowS} - ${rows} + seq)
         FROM seq_${from}_to_${to}`,
      );
      onProgress(to);
    }
  } finally {
    await conn.end();
  }
}

/** Jobs the history rows belong to (disabled, never due). */
export const HISTORY_JOBS = 1000;

/**
 * A long history for the API measurements: HISTORY_JOBS disabled jobs and `rows` finished task rows
 * over them. Returns the rows in `tasks` afterwards and how long it took.
 */
export async function seedTaskHistory(database: string, rows: number, onProgress: (done: number) => void): Promise<{ taskRows: number; seedMs: number }> {
  const started = Date.now();
  await insertEverySecondJobs(database, HISTORY_JOBS, Date.now() + 3_600_000, { runner: 'command', spec: { command: 'true', args: [], env: {} } }, false);
  await insertTaskHistory(database, rows, HISTORY_JOBS, onProgress);
  const seedMs = Date.now() - started;
  const [{ n }] = await query<{ n: number }>(database, 'SELECT COUNT(*) AS n FROM tasks');
  return { taskRows: Number(n), seedMs };
}

/** One query's rows, on a short-lived connection. */
export async function query<T>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const conn = await connect(database);
  try {
    const [rows] = await conn.query(sql, params);
    return rows as T[];
  } finally {
    await conn.end();
  }
}

/** Pid of the MariaDB the bench talks to (its pid file), so a second mariadbd on the host is not measured instead. */
export async function databasePid(): Promise<number | null> {
  try {
    const conn = await connect();
    try {
      const [rows] = await conn.query('SELECT @@pid_file AS f');
      const file = (rows as { f: string }[])[0].f;
      return Number(readFileSync(file, 'utf8').trim()) || null;
    } finally {
      await conn.end();
    }
  } catch {
    return null;
  }
}
