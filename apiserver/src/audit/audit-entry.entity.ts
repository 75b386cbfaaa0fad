import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One mutating REST call: who, what, the outcome, from where, when. Never a request body. */
@Entity('audit_log')
@Index('ix_audit_log_at', ['at'])
@Index('ix_audit_log_actor', ['actor', 'id'])
export class AuditEntryEntity {
  /** BIGINT; mysql2 is set to return safe-range BIGINTs as numbers. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  @Column({ type: 'datetime', precision: 3 })
  at!: Date;

  /** A token's name, or `admin` for the bootstrap admin token. */
  @Column({ type: 'varchar', length: 100 })
  actor!: string;

  /** The API token's id; null for the bootstrap admin token. */
  @Column({ name: 'token_id', type: 'int', nullable: true })
  tokenId!: number | null;

  @Column({ type: 'varchar', length: 16 })
  role!: string;

  @Column({ type: 'varchar', length: 8 })
  method!: string;

  /** The request path without its query string. */
  @Column({ type: 'varchar', length: 500 })
  path!: string;

  /** The id the call acted on: from the path, or the id of what it created. */
  @Column({ name: 'target_id', type: 'varchar', length: 100, nullable: true })
  targetId!: string | null;

  @Column({ type: 'int' })
  status!: number;

  @Column({ type: 'varchar', length: 64 })
  ip!: string;
}
