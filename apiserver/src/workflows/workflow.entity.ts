import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { JobParam, WorkflowStep } from '@cronfleet/shared';

/** What a workflow's `definition` column holds: its steps, as checked (room for more fields later). */
export interface StoredDefinition {
  steps: WorkflowStep[];
  /** What a run may set; absent in definitions stored before workflow params, read as none. */
  params?: JobParam[];
}

/** A workflow: a DAG of steps, each a task (or a group of tasks), run on a schedule or on demand. */
@Entity('workflows')
@Index('uq_workflows_namespace_name', ['namespace', 'name'], { unique: true })
export class WorkflowEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The namespace it belongs to; set at creation, never changed. */
  @Column({ type: 'varchar', length: 63, default: 'default' })
  namespace!: string;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  description!: string | null;

  @Column({ type: 'simple-json' })
  definition!: StoredDefinition;

  /** As stored for cron jobs (see scheduleToString); null: on demand only. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  schedule!: string | null;

  @Column({ type: 'varchar', length: 64 })
  timezone!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  /**
   * The next due time the leader's workflow scheduler will run; null when disabled, unscheduled or
   * never firing again. A new leader that finds it in the past runs the latest missed due time once.
   */
  @Column({ name: 'next_run_at', type: 'datetime', precision: 3, nullable: true })
  nextRunAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
