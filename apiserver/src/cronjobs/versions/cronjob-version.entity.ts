import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { FieldChange } from '@cronfleet/shared';
import type { StoredDefinition } from './job-definition';

/**
 * `created`, `updated` (also pause and resume), `rollback` (an older definition written again),
 * `deleted`, or `baseline`: how a job made before versioning was, recorded at its first change.
 */
export type VersionKind = 'created' | 'updated' | 'rollback' | 'deleted' | 'baseline';

/** One version of a cron job: its whole definition after a change, who made it, when, and what changed. */
@Entity('cronjob_versions')
@Index('uq_cronjob_versions', ['cronjobId', 'version'], { unique: true })
@Index('ix_cronjob_versions_name', ['name', 'namespace'])
export class CronJobVersionEntity {
  /** BIGINT; mysql2 is set to return safe-range BIGINTs as numbers. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  /** No foreign key: the versions of a deleted job stay. */
  @Column({ name: 'cronjob_id', type: 'int' })
  cronjobId!: number;

  /** 1, 2, … per job, with no gaps. */
  @Column({ type: 'int' })
  version!: number;

  /** The job's name at this version (as in `definition`): how a deleted job's versions are found. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  name!: string | null;

  /** The job's namespace; null only for a job deleted before versions recorded it (migration 1765700000000). */
  @Column({ type: 'varchar', length: 63, nullable: true })
  namespace!: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind!: VersionKind;

  /** For a rollback: the version whose definition was written again. */
  @Column({ name: 'rolled_back_from', type: 'int', nullable: true })
  rolledBackFrom!: number | null;

  /** The job as it was after this change (before it, for `deleted`); secret values sealed. */
  @Column({ type: 'simple-json' })
  definition!: StoredDefinition;

  /** Fields changed from the version before, secrets redacted; empty for `created`, `deleted`, `baseline`. */
  @Column({ type: 'simple-json' })
  changes!: FieldChange[];

  /** Who, as the audit log names them: the token's name (`admin` for the bootstrap token), or what changed it otherwise. */
  @Column({ type: 'varchar', length: 100 })
  actor!: string;

  /** The token's role, or `system` (job files, versions before versioning). */
  @Column({ type: 'varchar', length: 16 })
  role!: string;

  @Column({ name: 'token_id', type: 'int', nullable: true })
  tokenId!: number | null;

  @Column({ type: 'datetime', precision: 3 })
  at!: Date;
}
