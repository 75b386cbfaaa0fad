import { mkdirSync } from 'node:fs';
import { ensurePrivateFile } from '../common/private-files';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { ServerConfig } from '../config/config';
import { InitialSchema1763800000000 } from './migrations/1763800000000-initial-schema';
import { SchedulingPolicies1763900000000 } from './migrations/1763900000000-scheduling-policies';
import { WorkerFleet1764000000000 } from './migrations/1764000000000-worker-fleet';
import { TaskEnvironment1764100000000 } from './migrations/1764100000000-task-environment';
import { JobNotifications1764200000000 } from './migrations/1764200000000-job-notifications';
import { ApiTokensAndAudit1764300000000 } from './migrations/1764300000000-api-tokens-and-audit';
import { JobChains1764400000000 } from './migrations/1764400000000-job-chains';
import { Workflows1764500000000 } from './migrations/1764500000000-workflows';
import { TaskRetention1764600000000 } from './migrations/1764600000000-task-retention';
import { CronJobVersions1764700000000 } from './migrations/1764700000000-cronjob-versions';
import { TaskTraceParent1764800000000 } from './migrations/1764800000000-task-trace-parent';
import { Namespaces1764900000000 } from './migrations/1764900000000-namespaces';
import { WorkflowRunRetention1765000000000 } from './migrations/1765000000000-workflow-run-retention';
import { TaskRetryLineage1765200000000 } from './migrations/1765200000000-task-retry-lineage';
import { WorkerCredentials1765300000000 } from './migrations/1765300000000-worker-credentials';
import { JobParams1765400000000 } from './migrations/1765400000000-job-params';
import { ColumnsFitLimits1765500000000 } from './migrations/1765500000000-columns-fit-limits';
import { WorkflowRunParams1765600000000 } from './migrations/1765600000000-workflow-run-params';
import { CronJobVersionNames1765700000000 } from './migrations/1765700000000-cronjob-version-names';
import { TaskHttpStatus1765800000000 } from './migrations/1765800000000-task-http-status';
import { TaskNamespaceKey1765900000000 } from './migrations/1765900000000-task-namespace-key';

/**
 * The entity classes TypeORM maps. The features own them; the server's entity list
 * (apiserver/src/entities.ts, beside the module tree) hands them in, so this folder imports none.
 */
export type Entities = NonNullable<DataSourceOptions['entities']>;

export const MIGRATIONS = [InitialSchema1763800000000, SchedulingPolicies1763900000000, WorkerFleet1764000000000, TaskEnvironment1764100000000, JobNotifications1764200000000, ApiTokensAndAudit1764300000000, JobChains1764400000000, Workflows1764500000000, TaskRetention1764600000000, CronJobVersions1764700000000, TaskTraceParent1764800000000, Namespaces1764900000000, WorkflowRunRetention1765000000000, TaskRetryLineage1765200000000, WorkerCredentials1765300000000, JobParams1765400000000, ColumnsFitLimits1765500000000, WorkflowRunParams1765600000000, CronJobVersionNames1765700000000, TaskHttpStatus1765800000000, TaskNamespaceKey1765900000000];

/** TypeORM options for the configured database. Schema changes go through migrations only, never `synchronize`. */
export function dataSourceOptions(db: ServerConfig['db'], entities: Entities): DataSourceOptions {
  const common = { entities, migrations: MIGRATIONS, synchronize: false, migrationsRun: false, logging: false };
  if (db.kind === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: db.file,
      // WAL lets the dashboard and API read while the dispatcher writes; foreign keys for cascades.
      prepareDatabase: (d: { pragma(s: string): unknown }) => {
        d.pragma('journal_mode = WAL');
        d.pragma('foreign_keys = ON');
        d.pragma('busy_timeout = 5000');
      },
    };
  }
  return {
    ...common,
    type: 'mysql',
    url: db.url,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    bigNumberStrings: false,
    extra: { connectionLimit: 20 },
  };
}

/**
 * Creates the MySQL database when it does not exist yet (a new install needs no manual step), or the
 * directory of the SQLite file.
 */
export async function ensureDatabaseExists(db: ServerConfig['db']): Promise<void> {
  if (db.kind === 'sqlite') {
    // The file holds every task's output and the sealed secrets: private, as tokens.json is.
    mkdirSync(dirname(db.file), { recursive: true, mode: 0o700 });
    ensurePrivateFile(db.file, ['-wal', '-shm']);
    return;
  }
  const url = new URL(db.url);
  url.pathname = '/';
  const admin = new DataSource({ type: 'mysql', url: url.toString(), timezone: 'Z' });
  await admin.initialize();
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${db.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
}

/** SQLite's current time as the text TypeORM writes a Date in: UTC, with milliseconds. */
const SQLITE_NOW_MS = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

/**
 * On SQLite, TypeORM fills a `@CreateDateColumn` or `@UpdateDateColumn` an insert leaves unset with
 * `datetime('now')`, which has whole seconds only (SQLite takes no DEFAULT in an INSERT, so the
 * columns' own millisecond defaults of the migrations never apply): a task made at 12:00:00.700 for
 * a due time of 12:00:00.500 read as created at 12:00:00.000, before it was due. Its driver is told
 * to write the time with milliseconds instead, as MySQL's DATETIME(3) defaults do. Call it before
 * `initialize()`.
 */
export function keepMilliseconds(ds: DataSource): void {
  if (ds.options.type !== 'better-sqlite3') return;
  ds.driver.mappedDataTypes.createDateDefault = SQLITE_NOW_MS;
  ds.driver.mappedDataTypes.updateDateDefault = SQLITE_NOW_MS;
}

/**
 * Every pooled MySQL session runs READ COMMITTED. Under InnoDB's default REPEATABLE READ, the
 * fenced claim's subquery on scheduler_state takes a shared lock and gap locks spread through the
 * tasks indexes; under load the dispatcher's writes and the workers' reports then deadlock.
 * Nothing here relies on repeatable reads: every state change is a conditional UPDATE.
 */
async function useReadCommitted(ds: DataSource): Promise<void> {
  const sql = 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED';
  const pool = (ds.driver as unknown as { pool: { on(e: 'connection', cb: (c: { query(q: string): void }) => void): void } }).pool;
  pool.on('connection', (c) => c.query(sql));
  // The connection TypeORM opened while initialising predates the hook.
  await ds.query(sql);
}

/**
 * Opens the database and applies pending migrations. On MySQL, servers starting together take turns
 * through a named lock, so two of them never apply the same migration at once.
 */
export async function openDatabase(db: ServerConfig['db'], entities: Entities): Promise<DataSource> {
  await ensureDatabaseExists(db);
  const ds = new DataSource(dataSourceOptions(db, entities));
  keepMilliseconds(ds);
  await ds.initialize();
  try {
    if (db.kind === 'mysql') await useReadCommitted(ds);
    if (db.kind === 'sqlite') {
      await ds.runMigrations({ transaction: 'each' });
      return ds;
    }
    const holder = ds.createQueryRunner();
    try {
      const [row] = (await holder.query("SELECT GET_LOCK('cronfleet_migrations', 120) AS got")) as { got: number | string | null }[];
      if (Number(row?.got) !== 1) throw new Error('database: another server held the migration lock for 120 s');
      await ds.runMigrations({ transaction: 'each' });
    } finally {
      await holder.query("SELECT RELEASE_LOCK('cronfleet_migrations')").catch(() => undefined);
      await holder.release();
    }
    return ds;
  } catch (e) {
    await ds.destroy().catch(() => undefined);
    throw e;
  }
}
