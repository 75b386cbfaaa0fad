import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Versions found by the job's name (issue 21): a deleted job's versions outlive it, but could only be
 * read by its id, which nobody remembers once the job is gone. `cronjob_versions` gets the job's
 * `name` and `namespace` at each version, indexed, so `GET /cronjob-versions?name=` finds them and a
 * token scoped to a namespace sees only its own.
 *
 * Existing rows: the name comes from the version's own definition (JSON, which always held it); the
 * namespace from the job, while it exists. A job deleted before this migration has no record of its
 * namespace: its versions keep NULL there, found by cluster-wide tokens only.
 *
 * Plain `ALTER TABLE`, as in the job-params migration: TypeORM's addColumns rebuilds SQLite tables
 * from a stale cached schema. Names compare exactly (utf8mb4_bin), as the cron jobs' own do.
 */
export class CronJobVersionNames1765700000000 implements MigrationInterface {
  name = 'CronJobVersionNames1765700000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    if (mysql) {
      await q.query(
        'ALTER TABLE cronjob_versions ADD COLUMN name varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL, ADD COLUMN namespace varchar(63) NULL, ' +
          'ADD INDEX ix_cronjob_versions_name (name, namespace)',
      );
      await q.query("UPDATE cronjob_versions SET name = JSON_UNQUOTE(JSON_EXTRACT(definition, '$.name'))");
    } else {
      await q.query('ALTER TABLE cronjob_versions ADD COLUMN name varchar(200) NULL');
      await q.query('ALTER TABLE cronjob_versions ADD COLUMN namespace varchar(63) NULL');
      await q.query('CREATE INDEX ix_cronjob_versions_name ON cronjob_versions (name, namespace)');
      await q.query("UPDATE cronjob_versions SET name = json_extract(definition, '$.name')");
    }
    await q.query('UPDATE cronjob_versions SET namespace = (SELECT c.namespace FROM cronjobs c WHERE c.id = cronjob_versions.cronjob_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'mysql') {
      await q.query('ALTER TABLE cronjob_versions DROP INDEX ix_cronjob_versions_name, DROP COLUMN name, DROP COLUMN namespace');
      return;
    }
    await q.query('DROP INDEX ix_cronjob_versions_name');
    await q.query('ALTER TABLE cronjob_versions DROP COLUMN name');
    await q.query('ALTER TABLE cronjob_versions DROP COLUMN namespace');
  }
}
