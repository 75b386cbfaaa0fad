import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workflow params (issue 17): `workflow_runs.params`, the JSON of a run's values, which every task of
 * the run gets as CRONFLEET_PARAM_<NAME>, a retry of the run included. Up to 20 values of 4 KiB, more
 * once JSON escapes them: past TEXT's 64 KiB on MySQL, so LONGTEXT there as for the run's other JSON
 * columns (ColumnsFitLimits); SQLite's TEXT has no such bound. What a workflow declares lives in its
 * `definition` JSON (already LONGTEXT), so `workflows` needs no column.
 *
 * Plain `ALTER TABLE`, as in the job-params migration: TypeORM's addColumns rebuilds SQLite tables
 * from a stale cached schema.
 */
export class WorkflowRunParams1765600000000 implements MigrationInterface {
  name = 'WorkflowRunParams1765600000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    await q.query(`ALTER TABLE workflow_runs ADD COLUMN params ${mysql ? 'LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci' : 'text'} NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE workflow_runs DROP COLUMN params');
  }
}
