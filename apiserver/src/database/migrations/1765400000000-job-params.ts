import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Job parameters (issue 17): `cronjobs.params`, the JSON list of what a run may set. Up to 20 params
 * each with up to 100 enum values of 4 KiB: past TEXT's 64 KiB on MySQL, so MEDIUMTEXT there. A
 * task's `env` now also carries the run's CRONFLEET_PARAM_* values (up to 20 × 4 KiB) over the job's
 * env, past TEXT too: MEDIUMTEXT as well. SQLite's TEXT has no such bound.
 *
 * Plain `ALTER TABLE`, as in the worker-credentials migration: TypeORM's addColumns rebuilds SQLite
 * tables from a stale cached schema.
 */
export class JobParams1765400000000 implements MigrationInterface {
  name = 'JobParams1765400000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    await q.query(`ALTER TABLE cronjobs ADD COLUMN params ${mysql ? 'mediumtext' : 'text'} NULL`);
    if (mysql) await q.query('ALTER TABLE tasks MODIFY COLUMN env mediumtext NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'mysql') await q.query('ALTER TABLE tasks MODIFY COLUMN env text NULL');
    await q.query('ALTER TABLE cronjobs DROP COLUMN params');
  }
}
