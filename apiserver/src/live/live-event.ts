import type { LiveEvent, LiveFilter } from '@cronfleet/shared';

/** Whether a subscription with `filter` gets `e`. An id filter only passes events that carry that id. */
export function matchesFilter(e: LiveEvent, filter: LiveFilter): boolean {
  if (filter.type && !filter.type.some((t) => t === e.type || (t.endsWith('.') && e.type.startsWith(t)))) return false;
  const d = e.data as { cronjobId?: number | null; taskId?: number; namespace?: string | null };
  if (filter.namespace !== undefined && d.namespace !== undefined && d.namespace !== null && d.namespace !== filter.namespace) return false;
  if (filter.cronjobId !== undefined && d.cronjobId !== filter.cronjobId) return false;
  if (filter.taskId !== undefined && d.taskId !== filter.taskId) return false;
  return true;
}
