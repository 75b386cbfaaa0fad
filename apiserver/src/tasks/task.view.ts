import type { TaskView } from '@cronfleet/shared';
import type { TaskEntity } from './task.entity';
import { isoOrNull as iso } from '../common/iso-time';

/** The columns a task's view shows: what the task list reads (PlainSelect), and no more (no spec, env or secrets). */
export const TASK_VIEW_COLUMNS = [
  'id', 'cronjobId', 'cronjobName', 'namespace', 'status', 'attempt', 'trigger', 'runner', 'scheduledAt', 'startedAt', 'finishedAt', 'exitCode', 'signal',
  'workerId', 'error', 'httpStatus', 'timeoutSeconds', 'priority', 'runAt', 'retryOf', 'idempotencyKey', 'routing', 'workerSelector', 'shardIndex', 'shardCount',
  'pinnedWorkerId', 'pendingReason', 'control', 'workflowRunId', 'workflowStep', 'workflowItem', 'createdAt',
] as const satisfies readonly (keyof TaskEntity)[];

export type TaskViewRow = Pick<TaskEntity, (typeof TASK_VIEW_COLUMNS)[number]>;

/** A task as the REST API shows it: times as ISO-8601 UTC. */
export function toTaskView(t: TaskViewRow): TaskView {
  return {
    id: t.id,
    cronjobId: t.cronjobId,
    cronjobName: t.cronjobName,
    namespace: t.namespace,
    status: t.status,
    attempt: t.attempt,
    trigger: t.trigger,
    runner: t.runner,
    scheduledAt: t.scheduledAt.toISOString(),
    startedAt: iso(t.startedAt),
    finishedAt: iso(t.finishedAt),
    exitCode: t.exitCode,
    signal: t.signal,
    /** An http task's response status (null: another runner, no response, or a worker from before it was reported). */
    httpStatus: t.httpStatus ?? null,
    workerId: t.workerId,
    error: t.error,
    timeoutSeconds: t.timeoutSeconds,
    priority: t.priority,
    runAt: iso(t.runAt),
    retryOf: t.retryOf,
    idempotencyKey: t.idempotencyKey,
    routing: t.routing,
    // Stored selectors are read-only values of the kernel's type; the view hands them out as they are.
    workerSelector: t.workerSelector as TaskView['workerSelector'],
    shard: t.shardCount > 1 || t.pinnedWorkerId !== null ? { index: t.shardIndex, count: t.shardCount } : null,
    /** Why a pending task has not reached a worker yet. */
    pendingReason: t.status === 'pending' ? t.pendingReason : null,
    /** A stop or kill asked for through the API and whether the worker confirmed it. */
    control: t.control,
    /** The workflow run, step and group member (null for a one-task step) this task is part of. */
    workflow: t.workflowRunId ? { runId: t.workflowRunId, step: t.workflowStep, item: t.workflowItem } : null,
    createdAt: t.createdAt.toISOString(),
  };
}
