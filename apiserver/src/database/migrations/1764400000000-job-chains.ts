import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** A job's chain triggers (`triggers`: job names started on success, failure, completion), as JSON. */
export class JobChains1764400000000 implements MigrationInterface {
  name = 'JobChains1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('cronjobs', new TableColumn({ name: 'triggers', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('cronjobs', 'triggers');
  }
}
