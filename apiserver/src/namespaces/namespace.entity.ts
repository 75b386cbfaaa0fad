import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A namespace: a partition of jobs, tasks, workflows, workers and tokens, with its quotas. Its name
 * is its key (a DNS label); `default` always exists.
 */
@Entity('namespaces')
export class NamespaceEntity {
  @PrimaryColumn({ type: 'varchar', length: 63 })
  name!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description!: string | null;

  /** Most cron jobs it may hold; null: no limit. */
  @Column({ name: 'max_jobs', type: 'int', nullable: true })
  maxJobs!: number | null;

  /** Most of its tasks running at once; more wait `pending`. null: no limit. */
  @Column({ name: 'max_concurrent_tasks', type: 'int', nullable: true })
  maxConcurrentTasks!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
