/** What the lag of a sent task is worked out from. */
export interface SentTask {
  trigger: string;
  runAt: Date | null;
  scheduledAt: Date;
}

/**
 * How late a task is sent to its worker, in ms: the send time minus the time it was due to be sent,
 * which is its `runAt` (delayed tasks, retries) or its due time plus the job's fixed jitter. It
 * includes any wait for a worker with room. Null for misfire runs: they catch up a due time missed
 * while no dispatcher ran, late by design, and would swamp the distribution.
 */
export function scheduleLagMs(task: SentTask, jitterMs: number, sentAtMs: number): number | null {
  if (task.trigger === 'misfire') return null;
  const dueMs = task.runAt ? task.runAt.getTime() : task.scheduledAt.getTime() + jitterMs;
  return Math.max(0, sentAtMs - dueMs);
}
