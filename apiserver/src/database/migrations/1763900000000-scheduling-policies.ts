import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions, TableIndex } from 'typeorm';

/**
 * Per-job scheduling policies (jitter, concurrency, misfire, retry, priority), what a task needs to
 * wait, retry and be fenced (run-at, priority, lease epoch, idempotency key, retry lineage), and the
 * one-row scheduler state: the current lease epoch that fences a stale leader's writes, and the
 * cluster-wide pause switch.
 */
export class SchedulingPolicies1763900000000 implements MigrationInterface {
  name = 'SchedulingPolicies1763900000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    const int = (name: string, opts: Partial<TableColumnOptions> = {}) =>
      new TableColumn({ name, type: mysql ? 'int' : 'integer', isNullable: opts.default === undefined, ...opts });
    const big = (name: string) => new TableColumn({ name, type: mysql ? 'bigint' : 'integer', isNullable: true });
    const str = (name: string, length: number, def?: string) =>
      new TableColumn({ name, type: 'varchar', length: String(length), isNullable: def === undefined, ...(def !== undefined ? { default: `'${def}'` } : {}) });
    const time = (name: string) => new TableColumn({ name, type: 'datetime', ...(mysql ? { precision: 3 } : {}), isNullable: true });
    const text = (name: string) => new TableColumn({ name, type: 'text', isNullable: true });

    await q.addColumns('cronjobs', [
      int('jitter_seconds', { default: 0 }),
      str('concurrency_policy', 16, 'allow'),
      str('misfire_policy', 16, 'runOnce'),
      int('catch_up_limit', { default: 10 }),
      int('starting_deadline_seconds'),
      text('retry'),
      int('priority', { default: 0 }),
    ]);
    await q.addColumns('tasks', [
      int('priority', { default: 0 }),
      time('run_at'),
      big('lease_epoch'),
      str('idempotency_key', 200),
      text('retry'),
      big('retry_of'),
      int('previous_worker_id'),
    ]);
    await q.createIndex('tasks', new TableIndex({ name: 'uq_tasks_idempotency', columnNames: ['idempotency_key'], isUnique: true }));
    await q.createIndex('tasks', new TableIndex({ name: 'ix_tasks_cronjob_status', columnNames: ['cronjob_id', 'status'] }));
    await q.createTable(
      new Table({
        name: 'scheduler_state',
        columns: [
          { name: 'id', type: mysql ? 'int' : 'integer', isPrimary: true },
          { name: 'epoch', type: mysql ? 'bigint' : 'integer', default: 0 },
          { name: 'leader', type: 'varchar', length: '128', isNullable: true },
          { name: 'paused', type: 'boolean', default: mysql ? 'false' : 0 },
        ],
      }),
    );
    await q.query('INSERT INTO scheduler_state (id, epoch, paused) VALUES (1, 0, ?)', [mysql ? false : 0]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('scheduler_state');
    await q.dropIndex('tasks', 'ix_tasks_cronjob_status');
    await q.dropIndex('tasks', 'uq_tasks_idempotency');
    for (const c of ['priority', 'run_at', 'lease_epoch', 'idempotency_key', 'retry', 'retry_of', 'previous_worker_id']) await q.dropColumn('tasks', c);
    for (const c of ['jitter_seconds', 'concurrency_policy', 'misfire_policy', 'catch_up_limit', 'starting_deadline_seconds', 'retry', 'priority']) await q.dropColumn('cronjobs', c);
  }
}
