// MariaDB and Redis for a bench run: a fresh database and key prefix per scenario, dropped at the end,
// and the cron job rows written straight into the `cronjobs` table (the schema is the server's own,
// made by its migrations on a first start).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createConnection, type Connection } from 'mysql2/promise';
import { onCleanup } from './cleanup';

export const MYSQL_URL = (process.env.CRONFLEET_BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
export const REDIS_URL = process.env.CRONFLEET_BENCH_REDIS ?? 'redis://127.0.0.1:6379';

const DB_NAME = /^cf_bench_[0-9a-f]+$/;
const PREFIX = /^cf-bench-[0-9a-f]+:$/;

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function connect(database?: string): Promise<Connection> {
  return createConnection({ uri: database ? `${MYSQL_URL}/${database}` : MYSQL_URL, connectTimeout: 5000, timezone: 'Z' });
}

export async function databaseVersion(): Promise<string> {
  const conn = await connect();
  try {
    const [rows] = await conn.query('SELECT VERSION() AS v');
    return String((rows as { v: string }[])[0].v);
  } finally {
    await conn.end();
  }
}

/** A database name and Redis prefix nobody else uses; both removed at cleanup (also on failure or Ctrl-C). */
export interface Backend {
  database: string;
  redisPrefix: string;
  /** Drops the database and deletes the keys now. */
  release(): Promise<void>;
}

export function newBackend(): Backend {
  const id = randomHex(5);
  const database = `cf_bench_${id}`;
  const redisPrefix = `cf-bench-${id}:`;
  const release = onCleanup(`dropping database ${database} and Redis keys ${redisPrefix}*`, async () => {
    await dropDatabase(database);
    await deleteRedisKeys(redisPrefix);
  });
  return { database, redisPrefix, release };
}

/**
 * A Redis key prefix of its own for something else than a server (a reference queue), its keys
 * deleted at cleanup. `prefix` ends with ':' like a server's; `name` is the same without it (BullMQ
 * adds the ':' itself).
 */
export function newRedisPrefix(): { prefix: string; name: string; release: () => Promise<void> } {
  const name = `cf-bench-${randomHex(5)}`;
  const prefix = `${name}:`;
  return { prefix, name, release: onCleanup(`deleting Redis keys ${prefix}*`, () => deleteRedisKeys(prefix)) };
}

/**
 * The Redis the bench talks to (INFO server): its version, and its pid to measure its CPU (null when it
 * is not in this host's pid namespace).
 */
export async function redisServer(): Promise<{ version: string; pid: number | null }> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    const info = await redis.info('server');
    const pid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
    const ours = pid > 0 && existsSync(`/proc/${pid}/comm`) && readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('redis');
    return { version: /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown', pid: ours ? pid : null };
  } finally {
    redis.disconnect();
  }
}

async function dropDatabase(name: string): Promise<void> {
  if (!DB_NAME.test(name)) throw new Error(`refusing to drop database '${name}'`);
  const conn = await connect();
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  if (!PREFIX.test(prefix)) throw new Error(`refusing to delete Redis keys under '${prefix}'`);
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** One row of `cronjobs` as the bench writes it; the policy columns keep their defaults. */
export interface JobRow {
  name: string;
  schedule: string;
  timezone: string;
  nextRunAtMs: number;
  createdAtMs: number;
}

const COLUMNS = '(name, schedule, timezone, runner, spec, timeout_seconds, enabled, next_run_at, created_at, updated_at)';
const SPEC = JSON.stringify({ command: 'true', args: [], env: {} });

/** DATETIME(3) value in UTC, the time zone the server's pool uses. */
export function utcDatetime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
}

const sqlTime = (ms: number): string => `'${utcDatetime(ms)}'`;

export interface InsertOptions {
  /** Rows per INSERT statement. */
  rowsPerStatement: number;
  /** Statements per transaction. */
  statementsPerTransaction: number;
  onProgress?: (inserted: number) => void;
}

/** Writes `count` rows made by `row(i)` (i from 0) with multi-row INSERTs inside a few transactions. */
export async function insertJobs(database: string, count: number, row: (i: number) => JobRow, opts: InsertOptions): Promise<void> {
  const conn = await connect(database);
  try {
    const spec = conn.escape(SPEC);
    let inserted = 0;
    while (inserted < count) {
      await conn.beginTransaction();
      for (let s = 0; s < opts.statementsPerTransaction && inserted < count; s++) {
        const n = Math.min(opts.rowsPerStatement, count - inserted);
        const values = new Array<string>(n);
        for (let k = 0; k < n; k++) {
          const r = row(inserted + k);
          const created = sqlTime(r.createdAtMs);
          values[k] = `(${conn.escape(r.name)},${conn.escape(r.schedule)},${conn.escape(r.timezone)},'command',${spec},NULL,1,${sqlTime(r.nextRunAtMs)},${created},${created})`;
        }
        await conn.query(`INSERT INTO cronjobs ${COLUMNS} VALUES ${values.join(',')}`);
        inserted += n;
      }
      await conn.commit();
      opts.onProgress?.(inserted);
    }
  } finally {
    await conn.end();
  }
}

export async function countRows(database: string, sql: string, params: unknown[] = []): Promise<Record<string, number>[]> {
  const conn = await connect(database);
  try {
    const [rows] = await conn.query(sql, params);
    return rows as Record<string, number>[];
  } finally {
    await conn.end();
  }
}

/** MariaDB's global statement counters; server-wide, so other clients of the same MariaDB count too. */
export const DB_COUNTERS = ['Questions', 'Com_select', 'Com_insert', 'Com_update', 'Com_commit', 'Innodb_deadlocks'] as const;
export type DbCounters = Record<(typeof DB_COUNTERS)[number], number>;

export async function dbCounters(): Promise<DbCounters> {
  const conn = await connect();
  try {
    const [rows] = await conn.query(`SHOW GLOBAL STATUS WHERE Variable_name IN (${DB_COUNTERS.map((c) => `'${c}'`).join(',')})`);
    const out = Object.fromEntries(DB_COUNTERS.map((c) => [c, 0])) as DbCounters;
    for (const r of rows as { Variable_name: string; Value: string }[]) out[r.Variable_name as keyof DbCounters] = Number(r.Value);
    return out;
  } finally {
    await conn.end();
  }
}
