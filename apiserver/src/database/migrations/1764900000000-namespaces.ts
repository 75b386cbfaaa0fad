import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

/**
 * Namespaces (issue 9): the `namespaces` table with its quotas, and a `namespace` on what belongs
 * to one. Everything there was before lives in `default`, which the migration creates. Job and
 * workflow names become unique per namespace. Tokens and workers get a nullable one: null is a
 * cluster-wide token, or a worker serving every namespace.
 *
 * The columns are added with plain `ALTER TABLE … ADD COLUMN` and a constant default: an instant
 * change on MariaDB and SQLite alike, where TypeORM's addColumn would rebuild SQLite's tasks table.
 */
export class Namespaces1764900000000 implements MigrationInterface {
  name = 'Namespaces1764900000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    const now = (name: string): TableColumnOptions =>
      mysql
        ? { name, type: 'datetime', precision: 3, default: 'CURRENT_TIMESTAMP(3)' }
        : { name, type: 'datetime', default: "(strftime('%Y-%m-%d %H:%M:%f', 'now'))" };
    await q.createTable(
      new Table({
        name: 'namespaces',
        columns: [
          { name: 'name', type: 'varchar', length: '63', isPrimary: true },
          { name: 'description', type: 'varchar', length: '500', isNullable: true },
          { name: 'max_jobs', type: mysql ? 'int' : 'integer', isNullable: true },
          { name: 'max_concurrent_tasks', type: mysql ? 'int' : 'integer', isNullable: true },
          now('created_at'),
          now('updated_at'),
        ],
      }),
    );
    await q.query(`INSERT INTO namespaces (name, description) VALUES ('default', 'where everything lives unless it names another namespace')`);
    for (const table of ['cronjobs', 'tasks', 'workflows', 'workflow_runs']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN namespace varchar(63) NOT NULL DEFAULT 'default'`);
    }
    for (const table of ['api_tokens', 'workers']) await q.query(`ALTER TABLE ${table} ADD COLUMN namespace varchar(63) NULL`);
    await q.dropIndex('cronjobs', 'uq_cronjobs_name');
    await q.createIndex('cronjobs', new TableIndex({ name: 'uq_cronjobs_namespace_name', columnNames: ['namespace', 'name'], isUnique: true }));
    await q.dropIndex('workflows', 'uq_workflows_name');
    await q.createIndex('workflows', new TableIndex({ name: 'uq_workflows_namespace_name', columnNames: ['namespace', 'name'], isUnique: true }));
    // A namespace's page of tasks, newest first, and its live tasks for the concurrency quota.
    await q.createIndex('tasks', new TableIndex({ name: 'ix_tasks_namespace', columnNames: ['namespace', 'id'] }));
    await q.createIndex('workflow_runs', new TableIndex({ name: 'ix_workflow_runs_namespace', columnNames: ['namespace', 'id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('workflow_runs', 'ix_workflow_runs_namespace');
    await q.dropIndex('tasks', 'ix_tasks_namespace');
    await q.dropIndex('workflows', 'uq_workflows_namespace_name');
    await q.createIndex('workflows', new TableIndex({ name: 'uq_workflows_name', columnNames: ['name'], isUnique: true }));
    await q.dropIndex('cronjobs', 'uq_cronjobs_namespace_name');
    await q.createIndex('cronjobs', new TableIndex({ name: 'uq_cronjobs_name', columnNames: ['name'], isUnique: true }));
    for (const table of ['cronjobs', 'tasks', 'workflows', 'workflow_runs', 'api_tokens', 'workers']) await q.dropColumn(table, 'namespace');
    await q.dropTable('namespaces');
  }
}
