import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * `(retry_of)`: the next attempt of a task, so that a retry through the API finds its run's latest
 * attempt (a one-shot task's run is its chain of retries) without scanning `tasks`.
 */
export class TaskRetryLineage1765200000000 implements MigrationInterface {
  name = 'TaskRetryLineage1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('tasks', new TableIndex({ name: 'ix_tasks_retry_of', columnNames: ['retry_of'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('tasks', 'ix_tasks_retry_of');
  }
}
