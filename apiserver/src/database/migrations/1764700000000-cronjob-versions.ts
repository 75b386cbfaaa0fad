import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions } from 'typeorm';

/**
 * Versioned cron jobs (issue 9): every create, change, rollback and delete of a job is kept in
 * `cronjob_versions` (its whole definition then, secrets sealed as on the job row, who, when, and
 * what changed), written in the transaction of the change. `cronjobs.version` is the job's latest
 * version number; 0 for a job made before this migration, whose first change first records how it
 * was (a `baseline` version). Versions have no foreign key: they outlive a deleted job.
 */
export class CronJobVersions1764700000000 implements MigrationInterface {
  name = 'CronJobVersions1764700000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: mysql ? 'int' : 'integer', isNullable: nullable });
    const str = (name: string, length: number): TableColumnOptions => ({ name, type: 'varchar', length: String(length) });
    // A script job's definition holds up to 1 MiB of content, and a change of it two copies: past TEXT's 64 KiB.
    const json = (name: string): TableColumnOptions => ({ name, type: mysql ? 'mediumtext' : 'text' });
    await q.addColumn('cronjobs', new TableColumn({ ...int('version'), default: 0 }));
    await q.createTable(
      new Table({
        name: 'cronjob_versions',
        columns: [
          { name: 'id', type: mysql ? 'bigint' : 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          int('cronjob_id'),
          int('version'),
          str('kind', 16),
          int('rolled_back_from', true),
          json('definition'),
          json('changes'),
          str('actor', 100),
          str('role', 16),
          int('token_id', true),
          mysql ? { name: 'at', type: 'datetime', precision: 3 } : { name: 'at', type: 'datetime' },
        ],
        indices: [{ name: 'uq_cronjob_versions', columnNames: ['cronjob_id', 'version'], isUnique: true }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('cronjob_versions');
    await q.dropColumn('cronjobs', 'version');
  }
}
