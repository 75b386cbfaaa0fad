import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A cron job: what to run, where (runner + spec) and when (schedule in a time zone). */
@Entity('cronjobs')
export class CronJobEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('uq_cronjobs_name', { unique: true })
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 255 })
  schedule!: string;

  @Column({ type: 'varchar', length: 64 })
  timezone!: string;

  @Column({ type: 'varchar', length: 32 })
  runner!: string;

  @Column({ type: 'simple-json' })
  spec!: Record<string, unknown>;

  @Column({ name: 'timeout_seconds', type: 'int', nullable: true })
  timeoutSeconds!: number | null;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  /** The next due time the dispatcher will run; null when disabled or never firing again. */
  @Column({ name: 'next_run_at', type: 'datetime', precision: 3, nullable: true })
  nextRunAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
