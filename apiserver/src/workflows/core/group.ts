/**
 * A task group's fan-in: one trigger fans out to N tasks; the group succeeds when all, any, or at
 * least K of them succeed, and its outcome is decided as early as the counts allow (the rest can
 * then be stopped). `maxParallel` bounds how many run at once.
 */

export type GroupPolicy = { mode: 'all' } | { mode: 'any' } | { mode: 'atLeast'; count: number };

export interface GroupCounts {
  total: number;
  succeeded: number;
  /** Ended without success (failed, timeout, killed, lost, skipped, cancelled). */
  failed: number;
}

export type GroupOutcome = 'running' | 'success' | 'failed';

/** How many must succeed. */
export function needed(policy: GroupPolicy, total: number): number {
  return policy.mode === 'all' ? total : policy.mode === 'any' ? Math.min(1, total) : policy.count;
}

export function groupOutcome(policy: GroupPolicy, c: GroupCounts): GroupOutcome {
  const need = needed(policy, c.total);
  if (c.succeeded >= need) return 'success';
  const stillPossible = c.total - c.failed;
  if (stillPossible < need) return 'failed';
  return 'running';
}

/** How many more members may start now, with `running` of them running and `waiting` not started. */
export function startable(maxParallel: number | null, running: number, waiting: number): number {
  const room = maxParallel === null ? waiting : Math.max(0, maxParallel - running);
  return Math.min(room, waiting);
}
