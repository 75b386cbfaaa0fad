import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** A job's notification rules (`notify`: webhooks and emails on failure, success, timeout, lost, recovered), as JSON. */
export class JobNotifications1764200000000 implements MigrationInterface {
  name = 'JobNotifications1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('cronjobs', new TableColumn({ name: 'notify', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('cronjobs', 'notify');
  }
}
