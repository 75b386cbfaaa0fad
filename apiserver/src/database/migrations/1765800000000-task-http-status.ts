import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An http task's response status (issue 21): `tasks.http_status`, reported by the worker with the
 * task's end (`httpStatus` in `task:update`), so lists can say `HTTP 200` where a command says
 * `exit 0`. Null for other runners, for a request that got no response, and for tasks that ended
 * before this migration or on workers older than it.
 *
 * A nullable column added with plain `ALTER TABLE` (instant on MariaDB and MySQL 8, and on SQLite,
 * whatever the size of `tasks`), as in the job-params migration.
 */
export class TaskHttpStatus1765800000000 implements MigrationInterface {
  name = 'TaskHttpStatus1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN http_status ${q.connection.options.type === 'mysql' ? 'int' : 'integer'} NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE tasks DROP COLUMN http_status');
  }
}
