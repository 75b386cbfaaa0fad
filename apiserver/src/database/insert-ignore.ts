import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** Rows per statement: well under MySQL's 65,535 and SQLite's 32,766 bound parameters at ~35 columns. */
const ROWS_PER_STATEMENT = 500;

/**
 * Inserts many rows with one plain `INSERT IGNORE` (SQLite: `INSERT OR IGNORE`) per 500, rows that
 * clash with a unique key skipped. Values go through the entity's columns as TypeORM writes them
 * (transformers, JSON, dates, defaults), but the statement is built here: TypeORM's insert builder
 * looks each parameter up among all the others, so its cost per row grows with the batch, and at
 * 2,000 due times a second it took most of the leader's CPU (bench:e2e, docs/benchmarks.md).
 */
export async function insertIgnore<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: readonly Partial<T>[]): Promise<void> {
  if (rows.length === 0) return;
  const ds = m.connection;
  const meta = ds.getMetadata(target);
  const driver = ds.driver;
  const columns = meta.columns.filter((c) => !(c.isGenerated && c.generationStrategy === 'increment'));
  const verb = ds.options.type === 'mysql' ? 'INSERT IGNORE INTO' : 'INSERT OR IGNORE INTO';
  const head = `${verb} ${driver.escape(meta.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const now = new Date();
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const part = rows.slice(i, i + ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    for (const row of part) {
      for (const c of columns) {
        let v: unknown = c.getEntityValue(row);
        if (v === undefined) {
          if (c.isCreateDate || c.isUpdateDate) v = now;
          else if (typeof c.default === 'function') throw new Error(`insertIgnore: ${meta.tableName}.${c.databaseName} has no value and a default it cannot compute`);
          else v = c.default ?? null;
        }
        params.push(driver.preparePersistentValue(v, c));
      }
    }
    await m.query(head + part.map(() => tuple).join(', '), params);
  }
}
