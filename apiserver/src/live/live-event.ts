import { LIVE_EVENT_TYPES, LiveFilterSchema, type LiveEventTypeName, type LiveFilter } from '@cronfleet/shared';

export { LIVE_EVENT_TYPES, LiveFilterSchema, type LiveFilter };

/** The task fields every `task.*` live event carries, so a subscription can filter by job. */
interface TaskRef {
  taskId: number;
  /** Null for one-shot tasks (`POST /tasks`). */
  cronjobId: number | null;
  namespace: string;
}

/**
 * What the dashboard and `GET /sse/events` see, small JSON only: ids, statuses, names and epoch
 * milliseconds; never a spec, an environment or a secret.
 */
export type LiveEvent =
  /** `retryOf`: the attempt this one retries (trigger `retry`), null otherwise. */
  | { type: 'task.created'; data: TaskRef & { cronjobName: string | null; trigger: string; attempt: number; runAtMs: number | null; retryOf?: number | null } }
  | { type: 'task.started'; data: TaskRef & { workerId: number; atMs: number } }
  /** One chunk of stdout/stderr as the worker sent it; delivered by the instance that received it only. */
  | { type: 'task.output'; data: TaskRef & { seq: number; data: string } }
  /**
   * `retryInMs`: its retry policy makes another attempt, due this long from now (it is created at once,
   * a `task.created` with `retryOf` this task); null when no attempt follows this end.
   */
  | { type: 'task.finished'; data: TaskRef & { status: string; atMs: number; exitCode?: number | null; errorCode?: string; retryInMs?: number | null } }
  | { type: 'cronjob.created'; data: { cronjobId: number; name: string; namespace: string } }
  | { type: 'cronjob.updated'; data: { cronjobId: number; name: string; enabled: boolean; namespace: string } }
  | { type: 'cronjob.deleted'; data: { cronjobId: number; namespace: string } }
  /** namespace: the one it serves; null: every one. */
  | { type: 'worker.online'; data: { workerId: number; name: string; namespace: string | null } }
  | { type: 'worker.offline'; data: { workerId: number } }
  | { type: 'worker.drained'; data: { workerId: number; drained: boolean } }
  | { type: 'scheduler.leader'; data: { instanceId: string; leader: boolean; atMs: number } }
  | { type: 'workflow.created' | 'workflow.updated'; data: { workflowId: number; name: string; enabled: boolean; namespace: string } }
  | { type: 'workflow.deleted'; data: { workflowId: number; name: string; namespace: string } }
  /** A run started, started steps, or ended: read GET /workflow-runs/:runId for its steps. */
  | { type: 'workflow.run'; data: { runId: number; workflowId: number; workflowName: string; namespace: string; status: string; atMs: number } };

export type LiveEventType = LiveEvent['type'];

/** Compile-time: the server's events and the shared list of their types are the same set (one added to either fails the build). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const typesMatch: Same<LiveEventType, LiveEventTypeName> = true;
void typesMatch;

/** Whether a subscription with `filter` gets `e`. An id filter only passes events that carry that id. */
export function matchesFilter(e: LiveEvent, filter: LiveFilter): boolean {
  if (filter.type && !filter.type.some((t) => t === e.type || (t.endsWith('.') && e.type.startsWith(t)))) return false;
  const d = e.data as { cronjobId?: number | null; taskId?: number; namespace?: string | null };
  if (filter.namespace !== undefined && d.namespace !== undefined && d.namespace !== null && d.namespace !== filter.namespace) return false;
  if (filter.cronjobId !== undefined && d.cronjobId !== filter.cronjobId) return false;
  if (filter.taskId !== undefined && d.taskId !== filter.taskId) return false;
  return true;
}
