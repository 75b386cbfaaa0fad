import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

/**
 * API tokens with roles (only a SHA-256 of each secret is stored) and the audit log of mutating
 * REST calls (who, what, outcome, from where, when; never a request body).
 */
export class ApiTokensAndAudit1764300000000 implements MigrationInterface {
  name = 'ApiTokensAndAudit1764300000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    const time = (name: string, nullable = false): TableColumnOptions =>
      mysql ? { name, type: 'datetime', precision: 3, isNullable: nullable } : { name, type: 'datetime', isNullable: nullable };
    const id = (type: 'int' | 'bigint'): TableColumnOptions => ({
      name: 'id',
      type: mysql ? type : 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    });
    const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: mysql ? 'int' : 'integer', isNullable: nullable });

    await q.createTable(
      new Table({
        name: 'api_tokens',
        columns: [
          id('int'),
          str('name', 100),
          str('role', 16),
          str('token_hash', 64),
          str('hint', 16),
          str('created_by', 100),
          { ...time('created_at'), default: mysql ? 'CURRENT_TIMESTAMP(3)' : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))" },
          time('expires_at', true),
          time('last_used_at', true),
          time('revoked_at', true),
        ],
        indices: [
          { name: 'uq_api_tokens_name', columnNames: ['name'], isUnique: true },
          { name: 'uq_api_tokens_hash', columnNames: ['token_hash'], isUnique: true },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          id('bigint'),
          time('at'),
          str('actor', 100),
          int('token_id', true),
          str('role', 16),
          str('method', 8),
          str('path', 500),
          str('target_id', 100, true),
          int('status'),
          str('ip', 64),
        ],
        indices: [
          { name: 'ix_audit_log_at', columnNames: ['at'] },
          { name: 'ix_audit_log_actor', columnNames: ['actor', 'id'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_log');
    await q.dropTable('api_tokens');
  }
}
