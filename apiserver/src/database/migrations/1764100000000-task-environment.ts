import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * A job's environment for every run (`env`), its secret environment (`secret_env`, sealed with the
 * server's key; only the names in `secret_env_keys` are ever shown), and its output cap; tasks keep
 * copies, so editing the job does not change a run already made (or its retries).
 */
export class TaskEnvironment1764100000000 implements MigrationInterface {
  name = 'TaskEnvironment1764100000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    const text = (name: string) => new TableColumn({ name, type: 'text', isNullable: true });
    const int = (name: string) => new TableColumn({ name, type: mysql ? 'int' : 'integer', isNullable: true });
    await q.addColumns('cronjobs', [text('env'), text('secret_env'), text('secret_env_keys'), int('max_output_bytes')]);
    await q.addColumns('tasks', [text('env'), text('secret_env'), int('max_output_bytes')]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of ['env', 'secret_env', 'max_output_bytes']) await q.dropColumn('tasks', c);
    for (const c of ['env', 'secret_env', 'secret_env_keys', 'max_output_bytes']) await q.dropColumn('cronjobs', c);
  }
}
