import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Retention of ended workflow runs (with their step tasks): `(finished_at)` finds the runs past the
 * server's historyDays, `(workflow_id, finished_at)` each workflow's newest historyLimit, without
 * scanning `workflow_runs`. Running runs have no `finished_at`.
 */
export class WorkflowRunRetention1765000000000 implements MigrationInterface {
  name = 'WorkflowRunRetention1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('workflow_runs', new TableIndex({ name: 'ix_workflow_runs_finished', columnNames: ['finished_at'] }));
    await q.createIndex('workflow_runs', new TableIndex({ name: 'ix_workflow_runs_workflow_finished', columnNames: ['workflow_id', 'finished_at'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('workflow_runs', 'ix_workflow_runs_workflow_finished');
    await q.dropIndex('workflow_runs', 'ix_workflow_runs_finished');
  }
}
