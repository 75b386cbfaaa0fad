import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { StoredDefinition } from './workflow.entity';

export type WorkflowRunStatus = 'running' | 'success' | 'failed' | 'killed' | 'cancelled';
export type WorkflowRunTrigger = 'schedule' | 'api';

/**
 * One run of a workflow, with the steps as they were when it started (editing the workflow later
 * does not change a run). Its steps' tasks point at it (tasks.workflow_run_id). The unique key on
 * (workflow, scheduled_at) makes a due time start one run however many leaders race for it; runs
 * started through the API have no scheduled_at and never collide.
 */
@Entity('workflow_runs')
@Index('uq_workflow_runs_due', ['workflowId', 'scheduledAt'], { unique: true })
@Index('ix_workflow_runs_status', ['status'])
@Index('ix_workflow_runs_namespace', ['namespace', 'id'])
@Index('ix_workflow_runs_finished', ['finishedAt'])
@Index('ix_workflow_runs_workflow_finished', ['workflowId', 'finishedAt'])
export class WorkflowRunEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  @Column({ name: 'workflow_id', type: 'int' })
  workflowId!: number;

  @Column({ name: 'workflow_name', type: 'varchar', length: 200 })
  workflowName!: string;

  /** Its workflow's namespace. */
  @Column({ type: 'varchar', length: 63, default: 'default' })
  namespace!: string;

  @Column({ type: 'varchar', length: 16 })
  trigger!: WorkflowRunTrigger;

  /** The due time of a scheduled run; null for a run started through the API. */
  @Column({ name: 'scheduled_at', type: 'datetime', precision: 3, nullable: true })
  scheduledAt!: Date | null;

  @Column({ type: 'varchar', length: 16 })
  status!: WorkflowRunStatus;

  @Column({ type: 'simple-json' })
  definition!: StoredDefinition;

  /**
   * After a retry of the run: per step that did not succeed, the first attempt number that counts
   * (attempts below it belong to an earlier try). Absent steps count from attempt 1.
   */
  @Column({ name: 'retry_from', type: 'simple-json', nullable: true })
  retryFrom!: Record<string, number> | null;

  /**
   * The run's param values (given, else defaults; a param with neither is absent), as every task of
   * the run gets them (CRONFLEET_PARAM_<NAME>), retries included. Null for runs from before params.
   */
  @Column({ type: 'simple-json', nullable: true })
  params!: Record<string, string> | null;

  /** How many times the run was retried from its failed steps. */
  @Column({ type: 'int', default: 0 })
  retries!: number;

  /** Why it ended other than by its steps (killed or stopped through the API). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  reason!: string | null;

  @Column({ name: 'started_at', type: 'datetime', precision: 3 })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'datetime', precision: 3, nullable: true })
  finishedAt!: Date | null;
}
