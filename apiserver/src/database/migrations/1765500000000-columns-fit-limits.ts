import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every documented limit fits its column, and names compare exactly (issue 17). MySQL only: SQLite's
 * TEXT has no length limit and its default collation (BINARY) already compares exactly.
 *
 * - JSON and text columns (`simple-json` maps to TEXT, 64 KiB, on MySQL) become LONGTEXT: a script's
 *   `content` alone may be 1 MiB and a job's `env` is bounded only by the request body. What bounds a
 *   row is then the request body limit (CRONFLEET_MAX_BODY_BYTES, at most 4 MiB), three times over
 *   for a version row (definition, before, after), inside MariaDB's default max_allowed_packet (16 MiB).
 * - Names looked up or kept unique by name (cron jobs, workflows, tokens, workers, and the copies of
 *   a job's or workflow's name on tasks, runs and audit entries) get `utf8mb4_bin`: under
 *   `utf8mb4_unicode_ci`, `Case-x` clashed with `case-x` and `emo-X-🙂` found `emo-X-😀`, so an
 *   export from SQLite could not be applied to MySQL. Namespace names are lower-case DNS labels,
 *   where the collation makes no difference.
 *
 * One `ALTER TABLE` per table, so each table is rebuilt at most once.
 *
 * And a cron job or workflow can no longer be written into a namespace being deleted: on MySQL a
 * foreign key from their `namespace` to `namespaces.name` (InnoDB checks it with locking reads, so
 * a create racing `DELETE /namespaces/X` either fails or makes the delete fail); on SQLite, where
 * adding a foreign key means rebuilding the table, triggers that refuse the same two writes.
 * Jobs and workflows left in a namespace that is gone (by that race) get their namespace back first.
 */
const LONG = 'LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci';
const name = (len: number, nullable = false) => `varchar(${len}) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin ${nullable ? 'NULL' : 'NOT NULL'}`;

const CHANGES: Record<string, Record<string, string>> = {
  cronjobs: {
    name: name(200),
    spec: `${LONG} NOT NULL`,
    retry: `${LONG} NULL`,
    worker_selector: `${LONG} NULL`,
    env: `${LONG} NULL`,
    secret_env: `${LONG} NULL`,
    secret_env_keys: `${LONG} NULL`,
    notify: `${LONG} NULL`,
    triggers: `${LONG} NULL`,
  },
  cronjob_versions: { definition: `${LONG} NOT NULL`, changes: `${LONG} NOT NULL`, actor: name(100) },
  tasks: {
    cronjob_name: name(200, true),
    error: `${LONG} NULL`,
    spec: `${LONG} NOT NULL`,
    retry: `${LONG} NULL`,
    worker_selector: `${LONG} NULL`,
    control: `${LONG} NULL`,
    env: `${LONG} NULL`,
    secret_env: `${LONG} NULL`,
  },
  task_output: { data: `${LONG} NOT NULL` },
  workflows: { name: name(200), definition: `${LONG} NOT NULL` },
  workflow_runs: { workflow_name: name(200), definition: `${LONG} NOT NULL`, retry_from: `${LONG} NULL` },
  workers: { name: name(128), labels: `${LONG} NOT NULL`, runners: `${LONG} NOT NULL`, stats: `${LONG} NULL` },
  api_tokens: { name: name(100), created_by: name(100) },
  audit_log: { actor: name(100) },
};

/** Tables whose rows must name a namespace that exists, and the message a refused write gives. */
const IN_NAMESPACE = ['cronjobs', 'workflows'] as const;
/** The message of SQLite's trigger refusals; NamespacesRepository and the repositories look for it. */
export const NAMESPACE_GONE = 'cronfleet: namespace does not exist';
export const NAMESPACE_IN_USE = 'cronfleet: namespace still holds cron jobs or workflows';

export class ColumnsFitLimits1765500000000 implements MigrationInterface {
  name = 'ColumnsFitLimits1765500000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    for (const table of IN_NAMESPACE) {
      await q.query(
        `INSERT INTO namespaces (name, description) SELECT DISTINCT t.namespace, 'recreated: it still held ${table}' FROM ${table} t WHERE NOT EXISTS (SELECT 1 FROM namespaces n WHERE n.name = t.namespace)`,
      );
    }
    if (!mysql) {
      for (const table of IN_NAMESPACE) {
        for (const when of ['INSERT', 'UPDATE OF namespace']) {
          await q.query(
            `CREATE TRIGGER tr_${table}_namespace_${when === 'INSERT' ? 'insert' : 'update'} BEFORE ${when} ON ${table} WHEN NOT EXISTS (SELECT 1 FROM namespaces WHERE name = NEW.namespace) BEGIN SELECT RAISE(ABORT, '${NAMESPACE_GONE}'); END`,
          );
        }
      }
      await q.query(
        `CREATE TRIGGER tr_namespaces_delete BEFORE DELETE ON namespaces WHEN ${IN_NAMESPACE.map((t) => `EXISTS (SELECT 1 FROM ${t} WHERE namespace = OLD.name)`).join(' OR ')} BEGIN SELECT RAISE(ABORT, '${NAMESPACE_IN_USE}'); END`,
      );
      return;
    }
    for (const [table, columns] of Object.entries(CHANGES)) {
      await q.query(`ALTER TABLE \`${table}\` ${Object.entries(columns).map(([c, def]) => `MODIFY \`${c}\` ${def}`).join(', ')}`);
    }
    for (const table of IN_NAMESPACE) {
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT fk_${table}_namespace FOREIGN KEY (namespace) REFERENCES namespaces (name)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'mysql') {
      for (const table of IN_NAMESPACE) for (const w of ['insert', 'update']) await q.query(`DROP TRIGGER IF EXISTS tr_${table}_namespace_${w}`);
      await q.query('DROP TRIGGER IF EXISTS tr_namespaces_delete');
      return;
    }
    for (const table of IN_NAMESPACE) await q.query(`ALTER TABLE ${table} DROP FOREIGN KEY fk_${table}_namespace`);
    // Back to the collation of the rest of the table; the LONGTEXT columns stay wide, since
    // narrowing them could cut rows written since.
    for (const [table, columns] of Object.entries(CHANGES)) {
      const names = Object.entries(columns).filter(([, def]) => def.includes('utf8mb4_bin'));
      if (names.length === 0) continue;
      await q.query(`ALTER TABLE \`${table}\` ${names.map(([c, def]) => `MODIFY \`${c}\` ${def.replace('utf8mb4_bin', 'utf8mb4_unicode_ci')}`).join(', ')}`);
    }
  }
}
