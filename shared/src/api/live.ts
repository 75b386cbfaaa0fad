import { z } from 'zod';
import { NamespaceNameSchema } from '../protocol/namespaces';
import { fromDecimal } from './decimal';

/** Every type of live event (`GET /sse/events`, the `/events` socket namespace), as `scope.verb`. */
export const LIVE_EVENT_TYPES = [
  'task.created',
  'task.started',
  'task.output',
  'task.finished',
  'cronjob.created',
  'cronjob.updated',
  'cronjob.deleted',
  'worker.online',
  'worker.offline',
  'worker.drained',
  'scheduler.leader',
  'workflow.created',
  'workflow.updated',
  'workflow.deleted',
  'workflow.run',
] as const;

/** The type of a live event: one of {@link LIVE_EVENT_TYPES}. */
export type LiveEventTypeName = (typeof LIVE_EVENT_TYPES)[number];

const id = fromDecimal(z.number().int().positive());

/** One accepted `type` item: an event type, or a prefix ending in a dot (`task.`). */
const typeItem = z.string().refine((s) => LIVE_EVENT_TYPES.some((t) => t === s || (s.endsWith('.') && t.startsWith(s))), {
  message: `expected one of ${LIVE_EVENT_TYPES.join(', ')} or a prefix such as 'task.'`,
});

/**
 * A subscription's filters (query of `GET /sse/events`, payload of the `/events` namespace's
 * `subscribe`). Each given filter must match; `type` is a comma list of types or prefixes.
 */
export const LiveFilterSchema = z
  .object({
    cronjobId: id.optional(),
    taskId: id.optional(),
    /** Only events of this namespace (and those of no namespace: the scheduler, workers serving all). Forced to a scoped token's own. */
    namespace: NamespaceNameSchema.optional(),
    type: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0))
      .pipe(z.array(typeItem).min(1, 'expected at least one type'))
      .optional(),
  })
  .strict();

/** A subscription's filters as checked: `type` split into its items. */
export type LiveFilter = z.output<typeof LiveFilterSchema>;

/** The task fields every `task.*` live event carries, so a subscription can filter by job. */
export interface LiveTaskRef {
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
  | { type: 'task.created'; data: LiveTaskRef & { cronjobName: string | null; trigger: string; attempt: number; runAtMs: number | null; retryOf?: number | null } }
  | { type: 'task.started'; data: LiveTaskRef & { workerId: number; atMs: number } }
  /** One chunk of stdout/stderr as the worker sent it; delivered by the instance that received it only. */
  | { type: 'task.output'; data: LiveTaskRef & { seq: number; data: string } }
  /**
   * `retryInMs`: its retry policy makes another attempt, due this long from now (it is created at once,
   * a `task.created` with `retryOf` this task); null when no attempt follows this end.
   */
  | { type: 'task.finished'; data: LiveTaskRef & { status: string; atMs: number; exitCode?: number | null; errorCode?: string; retryInMs?: number | null } }
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

/** Compile-time: the events and the list of their types are the same set (one added to either fails the build). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const typesMatch: Same<LiveEventType, LiveEventTypeName> = true;
void typesMatch;
