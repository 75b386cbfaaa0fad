import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Tracing (issue 9): a task keeps the W3C traceparent of the span that made it (`task.due` or
 * `task.create`), so its dispatch and its result join the same trace on whichever instance leads
 * then (a failover keeps the tree). Null when tracing was off as the task was made.
 */
export class TaskTraceParent1764800000000 implements MigrationInterface {
  name = 'TaskTraceParent1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('tasks', new TableColumn({ name: 'trace_parent', type: 'varchar', length: '55', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('tasks', 'trace_parent');
  }
}
