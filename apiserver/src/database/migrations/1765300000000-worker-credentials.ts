import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Worker identity (see workers/worker-admission.ts): each worker name's enrolment state, the SHA-256
 * of the credential issued to it, when it was issued or revoked, and the session of its last accepted
 * hello. Rows from before are `open`: their worker enrols at its first hello after the upgrade.
 *
 * Plain `ALTER TABLE … ADD COLUMN`, as in the namespaces migration: on SQLite, TypeORM's addColumns
 * rebuilds the table from the schema it cached earlier in the same run, which misses the columns
 * added with plain SQL since (`workers.namespace`), and would drop them.
 */
export class WorkerCredentials1765300000000 implements MigrationInterface {
  name = 'WorkerCredentials1765300000000';

  async up(q: QueryRunner): Promise<void> {
    const time = q.connection.options.type === 'mysql' ? 'datetime(3)' : 'datetime';
    await q.query(`ALTER TABLE workers ADD COLUMN enrolment varchar(16) NOT NULL DEFAULT 'open'`);
    await q.query(`ALTER TABLE workers ADD COLUMN credential_hash varchar(64) NULL`);
    await q.query(`ALTER TABLE workers ADD COLUMN enrolled_at ${time} NULL`);
    await q.query(`ALTER TABLE workers ADD COLUMN revoked_at ${time} NULL`);
    await q.query(`ALTER TABLE workers ADD COLUMN session_id varchar(64) NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of ['session_id', 'revoked_at', 'enrolled_at', 'credential_hash', 'enrolment']) await q.query(`ALTER TABLE workers DROP COLUMN ${c}`);
  }
}
