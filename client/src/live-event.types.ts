/*
 * The live events of `GET /api/v1/sse/events`, as apiserver/src/live/live-event.ts states them. A
 * copy for now: the server's type lives in the server, which a client must not import. When it
 * moves to @cronfleet/shared (beside the REST schemas), this file becomes a re-export of it.
 */

/** The task fields every `task.*` live event carries, so a subscription can filter by job. */
export interface LiveTaskRef {
  taskId: number;
  /** Null for one-shot tasks (`POST /tasks`). */
  cronjobId: number | null;
  namespace: string;
}

/**
 * One live event: small JSON only (ids, statuses, names, epoch milliseconds `…AtMs`), never a spec,
 * an environment or a secret.
 */
export type LiveEvent =
  /** `retryOf`: the attempt this one retries (trigger `retry`), null otherwise; `runAtMs` its due time. */
  | { type: 'task.created'; data: LiveTaskRef & { cronjobName: string | null; trigger: string; attempt: number; runAtMs: number | null; retryOf?: number | null } }
  | { type: 'task.started'; data: LiveTaskRef & { workerId: number; atMs: number } }
  /** One chunk of stdout/stderr as the worker sent it; delivered by the server instance that received it only. */
  | { type: 'task.output'; data: LiveTaskRef & { seq: number; data: string } }
  /** `retryInMs`: another attempt follows this long from now (a `task.created` with `retryOf` this task); null when none follows. */
  | { type: 'task.finished'; data: LiveTaskRef & { status: string; atMs: number; exitCode?: number | null; errorCode?: string; retryInMs?: number | null } }
  | { type: 'cronjob.created'; data: { cronjobId: number; name: string; namespace: string } }
  | { type: 'cronjob.updated'; data: { cronjobId: number; name: string; enabled: boolean; namespace: string } }
  | { type: 'cronjob.deleted'; data: { cronjobId: number; namespace: string } }
  /** `namespace`: the one the worker serves; null: every one. */
  | { type: 'worker.online'; data: { workerId: number; name: string; namespace: string | null } }
  | { type: 'worker.offline'; data: { workerId: number } }
  | { type: 'worker.drained'; data: { workerId: number; drained: boolean } }
  | { type: 'scheduler.leader'; data: { instanceId: string; leader: boolean; atMs: number } }
  | { type: 'workflow.created' | 'workflow.updated'; data: { workflowId: number; name: string; enabled: boolean; namespace: string } }
  | { type: 'workflow.deleted'; data: { workflowId: number; name: string; namespace: string } }
  /** A run started, started steps, or ended: read `GET /workflow-runs/:runId` for its steps. */
  | { type: 'workflow.run'; data: { runId: number; workflowId: number; workflowName: string; namespace: string; status: string; atMs: number } };

/** The name of a live event (`task.finished`). */
export type LiveEventType = LiveEvent['type'];
