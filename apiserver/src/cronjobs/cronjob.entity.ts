import type { RetryPolicy, RoutingStrategy, WorkerSelector, Triggers, JobParam } from '@cronfleet/shared';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { NotifyRule } from './notify-rule';

export type ConcurrencyPolicy = 'allow' | 'forbid' | 'replace';
export type MisfirePolicyName = 'skip' | 'runOnce' | 'catchUp';

/** A cron job: what to run, where (runner + spec) and when (schedule in a time zone). */
@Entity('cronjobs')
@Index('uq_cronjobs_namespace_name', ['namespace', 'name'], { unique: true })
export class CronJobEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The namespace it belongs to; set at creation, never changed. */
  @Column({ type: 'varchar', length: 63, default: 'default' })
  namespace!: string;

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

  /** Delay added to every due time, 0..jitterSeconds s, the same for every run of this job. */
  @Column({ name: 'jitter_seconds', type: 'int', default: 0 })
  jitterSeconds!: number;

  @Column({ name: 'concurrency_policy', type: 'varchar', length: 16, default: 'allow' })
  concurrencyPolicy!: ConcurrencyPolicy;

  @Column({ name: 'misfire_policy', type: 'varchar', length: 16, default: 'runOnce' })
  misfirePolicy!: MisfirePolicyName;

  /** With `misfirePolicy: catchUp`: most missed due times run. */
  @Column({ name: 'catch_up_limit', type: 'int', default: 10 })
  catchUpLimit!: number;

  /** A due time older than this many seconds is skipped instead of run late; null: no limit. */
  @Column({ name: 'starting_deadline_seconds', type: 'int', nullable: true })
  startingDeadlineSeconds!: number | null;

  @Column({ type: 'simple-json', nullable: true })
  retry!: RetryPolicy | null;

  /** Among tasks waiting for capacity, higher runs first. */
  @Column({ type: 'int', default: 0 })
  priority!: number;

  /** The next due time the dispatcher will run; null when disabled or never firing again. */
  /** Environment of every run, under the spec's own `env`. */
  @Column({ type: 'simple-json', nullable: true })
  env!: Record<string, string> | null;

  /** Secret environment, sealed (SecretBox); never returned by the API. */
  @Column({ name: 'secret_env', type: 'text', nullable: true })
  secretEnv!: string | null;

  /** Names of the secret variables: all the API shows of them. */
  @Column({ name: 'secret_env_keys', type: 'simple-json', nullable: true })
  secretEnvKeys!: string[] | null;

  /** Output kept per task (head and tail); null: the server's CRONFLEET_MAX_OUTPUT_BYTES. */
  @Column({ name: 'max_output_bytes', type: 'int', nullable: true })
  maxOutputBytes!: number | null;

  /** Which workers may run its tasks (labels all equal, name in `names`); null: any. */
  @Column({ name: 'worker_selector', type: 'simple-json', nullable: true })
  workerSelector!: WorkerSelector | null;

  /** How a worker is chosen among those that match. */
  @Column({ type: 'varchar', length: 16, default: 'leastLoaded' })
  routing!: RoutingStrategy;

  /** Webhooks and emails sent when a task ends (header values included: only their names are returned). */
  @Column({ type: 'simple-json', nullable: true })
  notify!: NotifyRule[] | null;

  /** Cron jobs (by name) started when a task of this one has ended for good. */
  @Column({ type: 'simple-json', nullable: true })
  triggers!: Triggers | null;

  /** What a run may vary (params/job-params.ts), given to the task as CRONFLEET_PARAM_<NAME>; null: none. */
  @Column({ type: 'simple-json', nullable: true })
  params!: JobParam[] | null;

  /** Newest finished tasks of this job kept by the retention sweep; null: the server's CRONFLEET_HISTORY_LIMIT. */
  @Column({ name: 'history_limit', type: 'int', nullable: true })
  historyLimit!: number | null;

  /** Finished tasks of this job older than this many days are deleted; null: the server's CRONFLEET_HISTORY_DAYS. */
  @Column({ name: 'history_days', type: 'int', nullable: true })
  historyDays!: number | null;

  /** Number of the job's latest version in `cronjob_versions`; 0: made before versioning, no version yet. */
  @Column({ type: 'int', default: 0 })
  version!: number;

  @Column({ name: 'next_run_at', type: 'datetime', precision: 3, nullable: true })
  nextRunAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
