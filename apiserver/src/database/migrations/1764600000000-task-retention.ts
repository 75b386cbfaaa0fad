import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Retention of finished tasks (issue 9): a job's own `history_limit` (newest N finished tasks kept)
 * and `history_days` (finished tasks older than D days dropped); null means the server's defaults.
 * Two indexes let the leader's background sweep find what to delete without scanning `tasks`:
 * `(cronjob_id, finished_at)` for one job's oldest finished tasks and the newest N of them, and
 * `(finished_at)` for everything finished before a cutoff. Live tasks have no `finished_at`.
 */
export class TaskRetention1764600000000 implements MigrationInterface {
  name = 'TaskRetention1764600000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    const int = (name: string) => new TableColumn({ name, type: mysql ? 'int' : 'integer', isNullable: true });
    await q.addColumns('cronjobs', [int('history_limit'), int('history_days')]);
    await q.createIndex('tasks', new TableIndex({ name: 'ix_tasks_cronjob_finished', columnNames: ['cronjob_id', 'finished_at'] }));
    await q.createIndex('tasks', new TableIndex({ name: 'ix_tasks_finished', columnNames: ['finished_at'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('tasks', 'ix_tasks_finished');
    await q.dropIndex('tasks', 'ix_tasks_cronjob_finished');
    for (const c of ['history_limit', 'history_days']) await q.dropColumn('cronjobs', c);
  }
}
