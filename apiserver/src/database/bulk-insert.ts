import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** Rows per statement: well under MySQL's 65,535 and SQLite's 32,766 bound parameters at ~35 columns. */
const ROWS_PER_STATEMENT = 500;

/**
 * What an INSERT of an entity's rows needs, worked out once per data source and entity: the
 * columns written (all but an auto-increment id), the statement's head and one row's tuple, and
 * per column how to read a row's value and what a row that leaves it out gets. Reading a plain
 * property instead of asking ColumnMetadata per cell, and making an entity without EntityManager's
 * create(), took building a one-shot group's INSERT from about 15 % of the batch endpoint's CPU to
 * about 8 % (profiles of bench:api's batch request).
 */
interface InsertPlan {
  meta: EntityMetadata;
  columns: { c: ColumnMetadata; prop: string | null; stamp: boolean; fallback: unknown }[];
  head: (verb: string) => string;
  tuple: string;
}

const plans = new WeakMap<object, Map<EntityMetadata, InsertPlan>>();

function planOf<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>): InsertPlan {
  const ds = m.connection;
  const meta = ds.getMetadata(target);
  let byMeta = plans.get(ds);
  if (!byMeta) plans.set(ds, (byMeta = new Map()));
  let plan = byMeta.get(meta);
  if (!plan) {
    const written = meta.columns.filter((c) => !(c.isGenerated && c.generationStrategy === 'increment'));
    const names = written.map((c) => ds.driver.escape(c.databaseName)).join(', ');
    const columns = written.map((c) => {
      const stamp = c.isCreateDate || c.isUpdateDate;
      // A default the database computes (a function) has no fallback: a row that leaves it out is refused by defaultOf.
      const fallback = typeof c.default === 'function' && !stamp ? undefined : (c.default ?? null);
      return { c, prop: c.embeddedMetadata ? null : c.propertyName, stamp, fallback };
    });
    plan = { meta, columns, head: (verb) => `${verb} ${ds.driver.escape(meta.tableName)} (${names}) VALUES `, tuple: `(${written.map(() => '?').join(', ')})` };
    byMeta.set(meta, plan);
  }
  return plan;
}

/** A row's value of one planned column; undefined when the row leaves it out. */
function valueOf(col: InsertPlan['columns'][number], row: ObjectLiteral): unknown {
  return col.prop === null ? col.c.getEntityValue(row) : row[col.prop];
}

/** What a column left out of a row gets: now for its create and update dates, else its literal default, else NULL. */
function defaultOf(plan: InsertPlan, col: InsertPlan['columns'][number], now: Date): unknown {
  if (col.stamp) return now;
  if (col.fallback === undefined) throw new Error(`insert: ${plan.meta.tableName}.${col.c.databaseName} has no value and a default it cannot compute`);
  return col.fallback;
}

/**
 * Multi-row INSERT statements built here rather than by TypeORM's insert builder, which looks each
 * parameter up among all the others, so its cost per row grows with the batch: at 2,000 due times a
 * second it took most of the leader's CPU (bench:e2e, docs/benchmarks.md). Values go through the
 * entity's columns as TypeORM writes them (transformers, JSON, dates, defaults).
 */
function statements<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: readonly Partial<T>[], verb: string, tail = '', perStatement = ROWS_PER_STATEMENT): { sql: string; params: unknown[]; rows: number }[] {
  const driver = m.connection.driver;
  const plan = planOf(m, target);
  const head = plan.head(verb);
  const now = new Date();
  const out: { sql: string; params: unknown[]; rows: number }[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const part = rows.slice(i, i + perStatement);
    const params: unknown[] = [];
    for (const row of part) {
      for (const col of plan.columns) {
        const v = valueOf(col, row);
        params.push(driver.preparePersistentValue(v === undefined ? defaultOf(plan, col, now) : v, col.c));
      }
    }
    out.push({ sql: head + part.map(() => plan.tuple).join(', ') + tail, params, rows: part.length });
  }
  return out;
}

/**
 * `row` with every column it leaves out filled as the INSERT writes it (see defaultOf), the
 * auto-increment id aside: the row as stored, to answer with instead of reading it back.
 */
export function completeRow<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, row: Partial<T>, now = new Date()): T {
  const plan = planOf(m, target);
  const full = Object.assign(plan.meta.create() as T, row);
  for (const col of plan.columns) {
    if (valueOf(col, full) !== undefined) continue;
    const v = defaultOf(plan, col, now);
    if (col.prop === null) col.c.setEntityValue(full, v);
    else (full as ObjectLiteral)[col.prop] = v;
  }
  return full;
}

/** Inserts many rows with one `INSERT IGNORE` (SQLite: `INSERT OR IGNORE`) per 500: rows that clash with a unique key are skipped. */
export async function insertIgnore<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: readonly Partial<T>[]): Promise<void> {
  if (rows.length === 0) return;
  const verb = m.connection.options.type === 'mysql' ? 'INSERT IGNORE INTO' : 'INSERT OR IGNORE INTO';
  for (const s of statements(m, target, rows, verb)) await m.query(s.sql, s.params);
}

/** Inserts many rows with one plain INSERT per 500 (in `m`'s transaction, if any). */
export async function insertAll<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: readonly Partial<T>[]): Promise<void> {
  for (const s of statements(m, target, rows, 'INSERT INTO')) await m.query(s.sql, s.params);
}

/** What a data source's INSERT tells of the ids it gave: by RETURNING, or as the first id and a step. */
type IdSource = { returning: true } | { returning: false; step: number };

/** Per data source, probed once. */
const idSources = new WeakMap<object, Promise<IdSource>>();

/**
 * SQLite and MariaDB (10.5 and later) answer an INSERT's ids with RETURNING; MySQL does not, and
 * gives the first id and its auto_increment_increment step.
 */
function idSource(m: EntityManager): Promise<IdSource> {
  let source = idSources.get(m.connection);
  if (!source) {
    source =
      m.connection.options.type !== 'mysql'
        ? Promise.resolve({ returning: true })
        : m.query('SELECT VERSION() AS version, @@auto_increment_increment AS step').then((r: { version: string; step: number | string }[]): IdSource => {
            const mariadb = /^(\d+)\.(\d+).*mariadb/i.exec(r[0]?.version ?? '');
            if (mariadb && Number(mariadb[1]) * 100 + Number(mariadb[2]) >= 1005) return { returning: true };
            return { returning: false, step: Number(r[0]?.step ?? 1) };
          });
    idSources.set(m.connection, source);
  }
  return source;
}

/**
 * Whether {@link insertReturningIds} answers the ids the database reports for each row (RETURNING)
 * rather than ones it works out from the first: then there is nothing to check.
 */
export async function idsAreReturned(m: EntityManager): Promise<boolean> {
  return (await idSource(m)).returning;
}

/**
 * Inserts many rows with one plain INSERT per 500 and returns their ids, in order; a unique-key
 * clash fails the statement (run it in a transaction). SQLite and MariaDB answer the ids with
 * RETURNING. MySQL gives the rows of one multi-row INSERT consecutive auto-increment values (`step`
 * apart) in every innodb_autoinc_lock_mode, since the count is known when the statement starts (a
 * "simple insert"); `insertId` is the first.
 *
 * `oneStatement`: all rows in a single INSERT, so that outside a transaction they are written all
 * or none (MySQL only: its statements carry their values as text, with no bound-parameter limit;
 * what bounds them is max_allowed_packet, which a larger statement exceeds with an error, unwritten).
 */
export async function insertReturningIds<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: readonly Partial<T>[], options: { oneStatement?: boolean } = {}): Promise<number[]> {
  if (rows.length === 0) return [];
  if (options.oneStatement && m.connection.options.type !== 'mysql') throw new Error('insertReturningIds: one statement is for MySQL only (SQLite bounds its parameters)');
  const perStatement = options.oneStatement ? rows.length : ROWS_PER_STATEMENT;
  const ids: number[] = [];
  const source = await idSource(m);
  if (source.returning) {
    for (const s of statements(m, target, rows, 'INSERT INTO', ' RETURNING id', perStatement)) {
      const got = (await m.query(s.sql, s.params)) as { id: number | string }[];
      if (got.length !== s.rows) throw new Error(`bulk insert: ${s.rows} rows sent, ${got.length} ids returned`);
      for (const r of got) ids.push(Number(r.id));
    }
    return ids;
  }
  for (const s of statements(m, target, rows, 'INSERT INTO', '', perStatement)) {
    const res = (await m.query(s.sql, s.params)) as { insertId: number | string; affectedRows: number };
    if (res.affectedRows !== s.rows) throw new Error(`bulk insert: ${s.rows} rows sent, ${res.affectedRows} inserted`);
    const first = Number(res.insertId);
    for (let i = 0; i < s.rows; i++) ids.push(first + i * source.step);
  }
  return ids;
}

/**
 * Inserts one row and returns it as stored (its id, and the column defaults and dates of what it
 * left out), without reading it back: TypeORM's save() reads every defaulted column back with a
 * SELECT after the INSERT.
 */
export async function insertOne<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, row: Partial<T>): Promise<T> {
  const full = completeRow(m, target, row);
  const [id] = await insertReturningIds(m, target, [full]);
  m.connection.getMetadata(target).primaryColumns[0].setEntityValue(full, id);
  return full;
}
