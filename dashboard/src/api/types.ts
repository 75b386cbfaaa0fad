// The REST contract as the dashboard reads it (see the OpenAPI document at /api/docs for the whole of it).

export const TASK_STATUSES = ['pending', 'running', 'success', 'failed', 'timeout', 'killed', 'lost', 'skipped', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const FINAL_STATUSES: readonly TaskStatus[] = ['success', 'failed', 'timeout', 'killed', 'lost', 'skipped', 'cancelled'];
export const RUNNERS = ['command', 'script', 'docker', 'http'] as const;
/** A built-in runner (RUNNERS) or the name of a plugin runner some worker offers. */
export type RunnerName = string;

export interface CronJob {
  id: number;
  /** Set at creation, never changed. */
  namespace: string;
  name: string;
  schedule: string;
  timezone: string;
  runner: RunnerName;
  spec: Record<string, unknown>;
  timeoutSeconds: number | null;
  enabled: boolean;
  jitterSeconds: number;
  concurrencyPolicy: string;
  misfirePolicy: string;
  catchUpLimit: number;
  startingDeadlineSeconds: number | null;
  retry: unknown;
  priority: number;
  workerSelector: unknown;
  routing: string;
  env: Record<string, string>;
  secretEnvKeys: string[];
  maxOutputBytes: number | null;
  /** Rules `{ on, webhook?: { url, headerNames }, email?: { to } }`: header names only, never their values. */
  notify: unknown[];
  /** Jobs this one starts when a task of it ended for good: `{ onSuccess?, onFailure?, onComplete? }` lists of names or `{ job, params }`. */
  triggers: Record<string, unknown>;
  /** What a run may set (the Run dialog's form); absent from a server before params. */
  params?: JobParam[];
  /** Finished tasks kept: the newest N, none older than D days; null: the server's defaults. */
  historyLimit: number | null;
  historyDays: number | null;
  /** Number of the latest version; 0 for a job made before versioning and not changed since. */
  version: number;
  nextRunAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A job parameter: given to the task as CRONFLEET_PARAM_<name>. */
export interface JobParam {
  name: string;
  description?: string;
  default?: string;
  required: boolean;
  /** A regular expression the whole value must match. */
  pattern?: string;
  /** The only values allowed. */
  enum?: string[];
}

/** `POST /workflows/:idOrName/runs`: values for the workflow's params, from any role that may run. */
export interface RunWorkflowBody {
  params?: Record<string, string>;
}

/** `POST /cronjobs/:id/run`: `params` for any role that may run; `args` and `env` only for admins. */
export interface RunJobBody {
  params?: Record<string, string>;
  args?: string[];
  env?: Record<string, string>;
}

/**
 * How a version came about: `created`, `updated` (a pause or resume too), `rollback` (an older
 * definition written again), `deleted`, or `baseline` (how a job made before versioning was).
 */
export type VersionKind = 'created' | 'updated' | 'rollback' | 'deleted' | 'baseline';

/** One field that changed from the version before (`spec.args`, `env.TZ`); absent values are null. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
  /** The values would tell a secret: show that it changed, not what to. */
  redacted?: true;
}

/** One version of a cron job as a list shows it: who changed what, when. */
export interface CronJobVersion {
  cronjobId: number;
  /** 1, 2, … per job, with no gaps. */
  version: number;
  kind: VersionKind;
  /** For a rollback: the version whose definition was written again. */
  rolledBackFrom: number | null;
  /** The token's name (`admin` for the bootstrap token), or what changed it (`job file <name>`). */
  actor: string;
  /** The token's role, or `system`. */
  role: string;
  tokenId: number | null;
  at: string;
  /** Empty for `created`, `deleted` and `baseline`. */
  changes: FieldChange[];
}

/** A version with the job's whole definition at it: secret values left out, their names only (`secretEnvKeys`). */
export interface CronJobVersionDetail extends CronJobVersion {
  definition: Record<string, unknown>;
}

export interface Task {
  id: number;
  /** Its job's or workflow's, or the one given to a one-shot task. */
  namespace: string;
  cronjobId: number | null;
  cronjobName: string | null;
  status: TaskStatus;
  attempt: number;
  trigger: string;
  runner: string;
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  signal: string | null;
  /** An http task's response status; null for other runners or when no response came. */
  httpStatus: number | null;
  workerId: number | null;
  error: { code?: string; message: string } | null;
  timeoutSeconds: number | null;
  retryOf: number | null;
  pendingReason: string | null;
  control: { action: 'stop' | 'kill'; requestedAt: string; state: 'confirmed' | 'unconfirmed'; reason: string } | null;
  /** The workflow run, step and group member (null for a one-task step) this task is part of. */
  workflow: { runId: number; step: string; item: number | null } | null;
  createdAt: string;
}

export interface TimelineRun {
  taskId: number;
  status: TaskStatus;
  attempt: number;
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
}

export interface WorkerStats {
  loadPerCpu: number;
  rssBytes: number;
  hostFreeMemoryBytes: number;
  hostTotalMemoryBytes: number;
  lastError: { atMs: number; code: string; message: string } | null;
}

export interface Worker {
  id: number;
  name: string;
  /** The one namespace whose tasks it runs; null: every namespace's. */
  namespace: string | null;
  hostname: string;
  version: string;
  status: 'online' | 'unreachable' | 'offline';
  draining: boolean;
  drained: boolean;
  shuttingDown: boolean;
  capacity: number;
  running: number;
  labels: Record<string, string>;
  runners: string[];
  lastHeartbeatAt: string | null;
  stats: WorkerStats | null;
  /** Its credential: `enrolled` (hellos must carry it), `open` (its next hello is issued one), `revoked` (hellos refused). */
  enrolment: { state: 'enrolled' | 'open' | 'revoked'; enrolledAt: string | null; revokedAt: string | null };
}

export interface SchedulerStatus {
  leader: string | null;
  instanceId: string;
  paused: boolean;
  isLeader: boolean;
  epoch: number | null;
  heapSize: number | null;
  pending: number | null;
  nextDueAt: string | null;
  lagMs: number | null;
}

export interface Readiness {
  status: 'ready' | 'not ready';
  notReady: string[];
  checks: Record<string, { ok: true } | { ok: false; error: string }>;
}

/** `GET /namespaces/:name`: a namespace, its quotas (null: no limit) and what it uses of them. */
export interface Namespace {
  name: string;
  description: string | null;
  /** Cron jobs it may hold. */
  maxJobs: number | null;
  /** Its tasks running at once; more wait `pending`. */
  maxConcurrentTasks: number | null;
  usage: { jobs: number; workflows: number; runningTasks: number };
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const RUN_STATUSES = ['running', 'success', 'failed', 'killed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** A step's state in a run, as the server computes it (a step whose task was killed, or whose run's kill ended it, is `killed`). */
export const STEP_STATES = ['waiting', 'running', 'success', 'failed', 'killed', 'skipped', 'cancelled'] as const;
export type StepState = (typeof STEP_STATES)[number];
/** When a step runs once its upstream steps ended: all succeeded (default), one failed, or either. */
export type StepWhen = 'success' | 'failure' | 'always';
export type SucceedWhen = 'all' | 'any' | { atLeast: number };

interface StepCommon {
  id: string;
  dependsOn: string[];
  when: StepWhen;
  retry: { maxRetries: number; backoff?: string; delaySeconds?: number } | null;
  timeoutSeconds: number | null;
  workerSelector: unknown;
  env: Record<string, string>;
}

/** A step of a workflow's definition: one task, or a group of tasks. */
export type WorkflowStep =
  | (StepCommon & { runner: RunnerName; spec: Record<string, unknown> })
  | (StepCommon & {
      group: { items: { runner: RunnerName; spec: Record<string, unknown> }[] } | { forEach: (string | number | boolean)[]; runner: RunnerName; spec: Record<string, unknown> };
      succeedWhen: SucceedWhen;
      maxParallel: number | null;
    });

export interface Workflow {
  id: number;
  /** Set at creation, never changed. */
  namespace: string;
  name: string;
  description: string | null;
  schedule: string | null;
  timezone: string;
  enabled: boolean;
  /** What a run may set (the Run dialog's form), as a job's; absent from a server before workflow params. */
  params?: JobParam[];
  steps: WorkflowStep[];
  nextRunAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowRunSummary {
  id: number;
  namespace: string;
  workflowId: number;
  workflowName: string;
  trigger: 'schedule' | 'api';
  status: RunStatus;
  scheduledAt: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** How many times it was retried from its failed steps. */
  retries: number;
  /** Why it ended, when it was killed or stopped through the API. */
  reason: string | null;
}

export interface RunStepTask {
  taskId: number;
  /** The group member; null for a one-task step. */
  item: number | null;
  attempt: number;
  status: TaskStatus;
  workerId: number | null;
  runAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
}

export interface RunStep {
  id: string;
  kind: 'task' | 'group';
  dependsOn: string[];
  when: StepWhen;
  runner: RunnerName | null;
  state: StepState;
  /** Tasks the step made: every attempt of every member, over every retry of the run. */
  attempts: number;
  retry: StepCommon['retry'];
  timeoutSeconds: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  taskIds: number[];
  tasks: RunStepTask[];
  group: { size: number; succeedWhen: SucceedWhen; maxParallel: number | null; succeeded: number; failed: number; running: number; waiting: number; skipped: number } | null;
}

/** `GET /workflow-runs/:id`: the run and every step with its edges, state, tasks and times. */
export interface WorkflowRun extends WorkflowRunSummary {
  /** The values each task of the run got as CRONFLEET_PARAM_<NAME>; absent from a server before workflow params. */
  params?: Record<string, string>;
  steps: RunStep[];
}
