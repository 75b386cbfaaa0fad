// The REST contract as the dashboard reads it: the types of @cronfleet/shared/api's schemas, the very
// ones the server validates with and @cronfleet/client calls by, under the names the pages use. The
// lists the pages show (TASK_STATUSES, RUN_STATUSES, RUNNER_NAMES, ROLES) are shared's own, imported
// where they are used; the one it has no list of is written here and checked against its type.
import type * as api from '@cronfleet/shared/api';

/** `true` only when A and B are the same type; used below to tie a run-time list to shared's type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(): T | undefined => undefined;

export type TaskStatus = api.TaskStatus;
/** A built-in runner (RUNNER_NAMES) or the name of a plugin runner some worker offers. */
export type RunnerName = string;

export type CronJob = api.CronJobView;
/** A job parameter: given to the task as CRONFLEET_PARAM_<name>. */
export type JobParam = api.CronJobView['params'][number];
/** `POST /workflows/:idOrName/runs`: values for the workflow's params, from any role that may run. */
export type RunWorkflowBody = api.RunWorkflow;
/** `POST /cronjobs/:id/run`: `params` for any role that may run; `args` and `env` only for admins. */
export type RunJobBody = api.RunNow;
/** `POST /cronjobs` and `PATCH /cronjobs/:id`: the job form's bodies. */
export type CreateJobBody = api.RouteInput<typeof api.CRONJOB_ROUTES.create>['body'];
export type UpdateJobBody = api.RouteInput<typeof api.CRONJOB_ROUTES.update>['body'];

/** One version of a cron job as a list shows it: who changed what, when. */
export type CronJobVersion = api.VersionSummary;
/** How a version came about: created, updated (a pause or resume too), rollback, deleted, or baseline. */
export type VersionKind = CronJobVersion['kind'];
/** One field that changed from the version before; `redacted` when the values would tell a secret. */
export type FieldChange = CronJobVersion['changes'][number];
/** A version with the job's whole definition at it: secret values left out, their names only. */
export type CronJobVersionDetail = api.VersionView;

export type Task = api.TaskView;
export type TimelineRun = api.Timeline['items'][number]['runs'][number];
export type WorkerStats = api.WorkerStats;
export type Worker = api.WorkerView;
export type SchedulerStatus = api.SchedulerStatus;
export type Readiness = api.Readiness;
/** `GET /namespaces/:name`: a namespace, its quotas (null: no limit) and what it uses of them. */
export type Namespace = api.NamespaceView;

export type Workflow = api.WorkflowView;
/** A step of a workflow's definition: one task, or a group of tasks. */
export type WorkflowStep = Workflow['steps'][number];
export type StepWhen = WorkflowStep['when'];
export type SucceedWhen = api.SucceedWhen;
export type WorkflowRunSummary = api.RunSummary;
export type RunStatus = WorkflowRunSummary['status'];
/** `GET /workflow-runs/:id`: the run and every step with its edges, state, tasks and times. */
export type WorkflowRun = api.RunView;
export type RunStep = WorkflowRun['steps'][number];
export type RunStepTask = RunStep['tasks'][number];
/** A step's state in a run, as the server computes it (a step whose task was killed, or whose run's kill ended it, is `killed`). */
export type StepState = RunStep['state'];
export const STEP_STATES = ['waiting', 'running', 'success', 'failed', 'killed', 'skipped', 'cancelled'] as const;
same<Same<(typeof STEP_STATES)[number], StepState>>();
