import { MigrationInterface, QueryRunner, TableColumn, TableColumnOptions, TableIndex } from 'typeorm';

/**
 * The worker fleet: where each worker is connected, operator drain, its last reported figures;
 * per job routing (worker selector, strategy); per task the routing it was created with, its
 * broadcast shard (part of the unique due key, so each shard of a due time exists once), why it is
 * still pending, and the state of a stop or kill asked for through the API.
 */
export class WorkerFleet1764000000000 implements MigrationInterface {
  name = 'WorkerFleet1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    const int = (name: string, opts: Partial<TableColumnOptions> = {}) =>
      new TableColumn({ name, type: mysql ? 'int' : 'integer', isNullable: opts.default === undefined, ...opts });
    const str = (name: string, length: number, def?: string) =>
      new TableColumn({ name, type: 'varchar', length: String(length), isNullable: def === undefined, ...(def !== undefined ? { default: `'${def}'` } : {}) });
    const bool = (name: string) => new TableColumn({ name, type: 'boolean', default: mysql ? 'false' : 0 });
    const text = (name: string) => new TableColumn({ name, type: 'text', isNullable: true });

    await q.addColumns('workers', [str('instance_id', 128), bool('drained'), bool('shutting_down'), text('stats')]);
    await q.addColumns('cronjobs', [text('worker_selector'), str('routing', 16, 'leastLoaded')]);
    await q.addColumns('tasks', [
      text('worker_selector'),
      str('routing', 16, 'leastLoaded'),
      int('shard_index', { default: 0 }),
      int('shard_count', { default: 1 }),
      int('pinned_worker_id'),
      str('pending_reason', 500),
      text('control'),
    ]);
    await q.dropIndex('tasks', 'uq_tasks_due');
    await q.createIndex('tasks', new TableIndex({ name: 'uq_tasks_due', columnNames: ['cronjob_id', 'scheduled_at', 'attempt', 'shard_index'], isUnique: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('tasks', 'uq_tasks_due');
    await q.createIndex('tasks', new TableIndex({ name: 'uq_tasks_due', columnNames: ['cronjob_id', 'scheduled_at', 'attempt'], isUnique: true }));
    for (const c of ['worker_selector', 'routing', 'shard_index', 'shard_count', 'pinned_worker_id', 'pending_reason', 'control']) await q.dropColumn('tasks', c);
    for (const c of ['worker_selector', 'routing']) await q.dropColumn('cronjobs', c);
    for (const c of ['instance_id', 'drained', 'shutting_down', 'stats']) await q.dropColumn('workers', c);
  }
}
