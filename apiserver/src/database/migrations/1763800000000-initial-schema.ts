import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

/**
 * The first schema. Written with TypeORM's Table API rather than raw SQL so the same migration runs
 * on MySQL/MariaDB (production) and SQLite (the embedded default).
 */
export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    const time = (name: string, nullable = false): TableColumnOptions =>
      mysql ? { name, type: 'datetime', precision: 3, isNullable: nullable } : { name, type: 'datetime', isNullable: nullable };
    const now = (name: string): TableColumnOptions => ({
      ...time(name),
      default: mysql ? 'CURRENT_TIMESTAMP(3)' : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))",
    });
    const id = (type: 'int' | 'bigint'): TableColumnOptions => ({
      name: 'id',
      type: mysql ? type : 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
      ...(mysql ? { unsigned: false } : {}),
    });
    const str = (name: string, length: number, nullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
    });
    const text = (name: string, nullable = false, big = false): TableColumnOptions => ({
      name,
      type: mysql ? (big ? 'mediumtext' : 'text') : 'text',
      isNullable: nullable,
    });
    const int = (name: string, nullable = false, type: 'int' | 'bigint' = 'int'): TableColumnOptions => ({
      name,
      type: mysql ? type : 'integer',
      isNullable: nullable,
    });

    await q.createTable(
      new Table({
        name: 'cronjobs',
        columns: [
          id('int'),
          str('name', 200),
          str('schedule', 255),
          str('timezone', 64),
          str('runner', 32),
          text('spec'),
          int('timeout_seconds', true),
          { name: 'enabled', type: 'boolean' },
          time('next_run_at', true),
          now('created_at'),
          now('updated_at'),
        ],
        indices: [
          { name: 'uq_cronjobs_name', columnNames: ['name'], isUnique: true },
          { name: 'ix_cronjobs_enabled', columnNames: ['enabled'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'workers',
        columns: [
          id('int'),
          str('name', 128),
          str('hostname', 255),
          str('version', 64),
          int('capacity'),
          text('labels'),
          text('runners'),
          str('status', 16),
          time('last_heartbeat_at', true),
          now('created_at'),
        ],
        indices: [{ name: 'uq_workers_name', columnNames: ['name'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'tasks',
        columns: [
          id('bigint'),
          int('cronjob_id', true),
          str('cronjob_name', 200, true),
          str('status', 16),
          int('attempt'),
          str('trigger', 16),
          time('scheduled_at'),
          time('started_at', true),
          time('finished_at', true),
          int('exit_code', true),
          str('signal', 32, true),
          int('worker_id', true),
          text('error', true),
          str('runner', 32),
          text('spec'),
          int('timeout_seconds', true),
          now('created_at'),
        ],
        indices: [
          { name: 'uq_tasks_due', columnNames: ['cronjob_id', 'scheduled_at', 'attempt'], isUnique: true },
          { name: 'ix_tasks_status', columnNames: ['status'] },
          { name: 'ix_tasks_worker_status', columnNames: ['worker_id', 'status'] },
        ],
        foreignKeys: [
          { name: 'fk_tasks_cronjob', columnNames: ['cronjob_id'], referencedTableName: 'cronjobs', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'task_output',
        columns: [
          { ...int('task_id', false, 'bigint'), isPrimary: true },
          { ...int('seq'), isPrimary: true },
          text('data', false, true),
        ],
        foreignKeys: [
          { name: 'fk_task_output_task', columnNames: ['task_id'], referencedTableName: 'tasks', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('task_output');
    await q.dropTable('tasks');
    await q.dropTable('workers');
    await q.dropTable('cronjobs');
  }
}
