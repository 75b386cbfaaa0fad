import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Worker identity (see workers/worker-admission.ts): each worker name's enrolment state, the SHA-256
 * of the credential issued to it, when it was issued or revoked, and the session of its last accepted
 * hello. Rows from before are `open`: their worker enrols at its first hello after the upgrade.
 */
export class WorkerCredentials1765300000000 implements MigrationInterface {
  name = 'WorkerCredentials1765300000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    const time = (name: string) => new TableColumn({ name, type: 'datetime', ...(mysql ? { precision: 3 } : {}), isNullable: true });
    const str = (name: string, length: number) => new TableColumn({ name, type: 'varchar', length: String(length), isNullable: true });
    await q.addColumns('workers', [
      new TableColumn({ name: 'enrolment', type: 'varchar', length: '16', default: "'open'" }),
      str('credential_hash', 64),
      time('enrolled_at'),
      time('revoked_at'),
      str('session_id', 64),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of ['enrolment', 'credential_hash', 'enrolled_at', 'revoked_at', 'session_id']) await q.dropColumn('workers', c);
  }
}
