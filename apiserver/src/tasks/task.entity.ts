import type { SerializedError, TaskStatus, RetryPolicy, RoutingStrategy, WorkerSelector } from '@cronfleet/shared';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '../database/columns';

export type TaskTrigger = 'schedule' | 'manual' | 'retry' | 'api' | 'misfire' | 'chain' | 'workflow';

/** A stop or kill asked for through the API, and whether the worker confirmed it. */
export interface TaskControl {
  action: 'stop' | 'kill';
  requestedAt: string;
  /** `unconfirmed`: the worker did not answer in time (the API answered 504). */
  state: 'confirmed' | 'unconfirmed';
  reason: string;
}

/**
 * One execution of a cron job (or of a one-off run). The unique key on (cronjob, scheduled time,
 * attempt, shard) is what makes "exactly one task per due time" (per worker, for broadcast jobs)
 * hold even when two dispatchers race.
 */
@Entity('tasks')
@Index('uq_tasks_due', ['cronjobId', 'scheduledAt', 'attempt', 'shardIndex'], { unique: true })
@Index('ix_tasks_status', ['status'])
@Index('ix_tasks_worker_status', ['workerId', 'status'])
@Index('ix_tasks_workflow_run', ['workflowRunId'])
@Index('ix_tasks_cronjob_finished', ['cronjobId', 'finishedAt'])
@Index('ix_tasks_finished', ['finishedAt'])
@Index('ix_tasks_namespace', ['namespace', 'id'])
@Index('ix_tasks_retry_of', ['retryOf'])
export class TaskEntity {
  /** BIGINT; mysql2 is set to return safe-range BIGINTs as numbers (supportBigNumbers without strings). */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  @Column({ name: 'cronjob_id', type: 'int', nullable: true })
  cronjobId!: number | null;

  @Column({ name: 'cronjob_name', type: 'varchar', length: 200, nullable: true })
  cronjobName!: string | null;

  /** Its job's or workflow's namespace (a one-shot task's own): quotas and scoped tokens go by it. */
  @Column({ type: 'varchar', length: 63, default: 'default' })
  namespace!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: TaskStatus;

  @Column({ type: 'int' })
  attempt!: number;

  @Column({ type: 'varchar', length: 16 })
  trigger!: TaskTrigger;

  @Column({ name: 'scheduled_at', type: 'datetime', precision: 3 })
  scheduledAt!: Date;

  @Column({ name: 'started_at', type: 'datetime', precision: 3, nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'datetime', precision: 3, nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'exit_code', type: 'int', nullable: true })
  exitCode!: number | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  signal!: string | null;

  /** An http task's response status, as its worker reported it; null for other runners and without a response. */
  @Column({ name: 'http_status', type: 'int', nullable: true })
  httpStatus!: number | null;

  @Column({ name: 'worker_id', type: 'int', nullable: true })
  workerId!: number | null;

  @Column({ type: 'simple-json', nullable: true })
  error!: SerializedError | null;

  /** Runner and spec as they were when the task was created: editing the job later does not change it. */
  @Column({ type: 'varchar', length: 32 })
  runner!: string;

  @Column({ type: 'simple-json' })
  spec!: Record<string, unknown>;

  @Column({ name: 'timeout_seconds', type: 'int', nullable: true })
  timeoutSeconds!: number | null;

  @Column({ type: 'int', default: 0 })
  priority!: number;

  /** Not before this time (retry backoff, delayed tasks); null: at `scheduledAt`. */
  @Column({ name: 'run_at', type: 'datetime', precision: 3, nullable: true })
  runAt!: Date | null;

  /** Lease epoch of the dispatcher that created the task (fencing token). */
  @Column({ name: 'lease_epoch', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  leaseEpoch!: number | null;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, nullable: true })
  idempotencyKey!: string | null;

  /** Retry policy snapshot, so editing the job later does not change a running chain of attempts. */
  @Column({ type: 'simple-json', nullable: true })
  retry!: RetryPolicy | null;

  /** The attempt this one retries. */
  @Column({ name: 'retry_of', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  retryOf!: number | null;

  /** Worker of the previous attempt: a retry prefers another one. */
  @Column({ name: 'previous_worker_id', type: 'int', nullable: true })
  previousWorkerId!: number | null;

  /** The job's env and sealed secretEnv and output cap when the task was created. */
  @Column({ type: 'simple-json', nullable: true })
  env!: Record<string, string> | null;

  @Column({ name: 'secret_env', type: 'text', nullable: true, select: true })
  secretEnv!: string | null;

  @Column({ name: 'max_output_bytes', type: 'int', nullable: true })
  maxOutputBytes!: number | null;

  /** Routing as the job had it when the task was created. */
  @Column({ name: 'worker_selector', type: 'simple-json', nullable: true })
  workerSelector!: WorkerSelector | null;

  @Column({ type: 'varchar', length: 16, default: 'leastLoaded' })
  routing!: RoutingStrategy;

  /** Broadcast jobs: one task per matching worker, each pinned to it; 0 of 1 otherwise. */
  @Column({ name: 'shard_index', type: 'int', default: 0 })
  shardIndex!: number;

  @Column({ name: 'shard_count', type: 'int', default: 1 })
  shardCount!: number;

  @Column({ name: 'pinned_worker_id', type: 'int', nullable: true })
  pinnedWorkerId!: number | null;

  /** Why a pending task has not reached a worker yet (no worker matches, all full, ...). */
  @Column({ name: 'pending_reason', type: 'varchar', length: 500, nullable: true })
  pendingReason!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  control!: TaskControl | null;

  /** The workflow run this task is a step (or a group member) of; null for other tasks. */
  @Column({ name: 'workflow_run_id', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  workflowRunId!: number | null;

  @Column({ name: 'workflow_step', type: 'varchar', length: 64, nullable: true })
  workflowStep!: string | null;

  /** The member of a group step (0-based). */
  @Column({ name: 'workflow_item', type: 'int', nullable: true })
  workflowItem!: number | null;

  /** W3C traceparent of the span that made the task (see TaskTracing); null when tracing was off. */
  @Column({ name: 'trace_parent', type: 'varchar', length: 55, nullable: true })
  traceParent!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
