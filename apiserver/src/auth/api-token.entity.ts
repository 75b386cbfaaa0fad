import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '@cronfleet/shared';

/** An API token: only the SHA-256 of the secret is stored; the secret is shown once, at creation. */
@Entity('api_tokens')
export class ApiTokenEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('uq_api_tokens_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  /** The one namespace it may see and act in; null: a cluster-wide token (every namespace, cluster routes). */
  @Column({ type: 'varchar', length: 63, nullable: true })
  namespace!: string | null;

  /** Hex SHA-256 of the whole token (`cft_…`). */
  @Index('uq_api_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  /** The first characters of the token (`cft_AbCd`), to tell tokens apart in listings. */
  @Column({ type: 'varchar', length: 16 })
  hint!: string;

  /** Who created it: a token's name, or `admin`. */
  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3, nullable: true })
  expiresAt!: Date | null;

  /** Refreshed at most once a minute per token, not on every request. */
  @Column({ name: 'last_used_at', type: 'datetime', precision: 3, nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;
}
