import { z } from 'zod';
import { NamespaceNameSchema } from '../protocol';
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
