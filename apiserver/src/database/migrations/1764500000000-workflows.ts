import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Workflows (issue 8): the `workflows` table (a DAG of steps as JSON, an optional schedule), their
 * runs (`workflow_runs`, one row per run with the steps it started with), and on `tasks` the run,
 * step and group member a task belongs to. Deleting a workflow deletes its runs and their tasks, as
 * deleting a cron job deletes its history.
 */
export class Workflows1764500000000 implements MigrationInterface {
  name = 'Workflows1764500000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    const time = (name: string, nullable = false): TableColumnOptions =>
      mysql ? { name, type: 'datetime', precision: 3, isNullable: nullable } : { name, type: 'datetime', isNullable: nullable };
    const now = (name: string): TableColumnOptions => ({ ...time(name), default: mysql ? 'CURRENT_TIMESTAMP(3)' : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))" });
    const id = (type: 'int' | 'bigint'): TableColumnOptions => ({ name: 'id', type: mysql ? type : 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' });
    const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    const int = (name: string, nullable = false, type: 'int' | 'bigint' = 'int'): TableColumnOptions => ({ name, type: mysql ? type : 'integer', isNullable: nullable });
    // A definition with 200 steps and their specs can pass TEXT's 64 KiB.
    const json = (name: string, nullable = false): TableColumnOptions => ({ name, type: mysql ? 'mediumtext' : 'text', isNullable: nullable });

    await q.createTable(
      new Table({
        name: 'workflows',
        columns: [
          id('int'),
          str('name', 200),
          str('description', 2000, true),
          json('definition'),
          str('schedule', 255, true),
          str('timezone', 64),
          { name: 'enabled', type: 'boolean' },
          time('next_run_at', true),
          now('created_at'),
          now('updated_at'),
        ],
        indices: [{ name: 'uq_workflows_name', columnNames: ['name'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'workflow_runs',
        columns: [
          id('bigint'),
          int('workflow_id'),
          str('workflow_name', 200),
          str('trigger', 16),
          time('scheduled_at', true),
          str('status', 16),
          json('definition'),
          { name: 'retry_from', type: 'text', isNullable: true },
          { ...int('retries'), default: 0 },
          str('reason', 500, true),
          time('started_at'),
          time('finished_at', true),
        ],
        indices: [
          { name: 'uq_workflow_runs_due', columnNames: ['workflow_id', 'scheduled_at'], isUnique: true },
          { name: 'ix_workflow_runs_status', columnNames: ['status'] },
        ],
        foreignKeys: [
          { name: 'fk_workflow_runs_workflow', columnNames: ['workflow_id'], referencedTableName: 'workflows', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
    await q.addColumns('tasks', [
      new TableColumn(int('workflow_run_id', true, 'bigint')),
      new TableColumn(str('workflow_step', 64, true)),
      new TableColumn(int('workflow_item', true)),
    ]);
    await q.createIndex('tasks', new TableIndex({ name: 'ix_tasks_workflow_run', columnNames: ['workflow_run_id'] }));
    await q.createForeignKey(
      'tasks',
      new TableForeignKey({ name: 'fk_tasks_workflow_run', columnNames: ['workflow_run_id'], referencedTableName: 'workflow_runs', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropForeignKey('tasks', 'fk_tasks_workflow_run');
    await q.dropIndex('tasks', 'ix_tasks_workflow_run');
    for (const c of ['workflow_run_id', 'workflow_step', 'workflow_item']) await q.dropColumn('tasks', c);
    await q.dropTable('workflow_runs');
    await q.dropTable('workflows');
  }
}
