/** The server's retention defaults: `CRONFLEET_HISTORY_DAYS` and `CRONFLEET_HISTORY_LIMIT` (null: unlimited). */
export interface RetentionDefaults {
  days: number | null;
  limit: number | null;
}

/** A job that sets its own retention (either field null: the server's default for that one). */
export interface JobRetention {
  id: number;
  historyLimit: number | null;
  historyDays: number | null;
}

const DAY_MS = 86_400_000;

/**
 * What one sweep deletes, decided from the defaults and the jobs that set their own values, at
 * `nowMs`. Each field of a job falls back to the server's default on its own: a job with only
 * `historyLimit` still loses tasks older than the default days. One-shot tasks (no job) follow the
 * defaults, counted together as one group.
 */
export interface RetentionPlan {
  /** Finished tasks that ended before this (epoch ms) go, except those of `ownCutoffMs` jobs; null: no default age limit. */
  defaultCutoffMs: number | null;
  /** Jobs with their own `historyDays`: their cutoff (epoch ms). */
  ownCutoffMs: Map<number, number>;
  /** The count kept for every job without its own `historyLimit`, and for one-shot tasks; null: unlimited. */
  defaultLimit: number | null;
  /** Jobs with their own `historyLimit`. */
  ownLimits: Map<number, number>;
}

export function planRetention(defaults: RetentionDefaults, jobs: readonly JobRetention[], nowMs: number): RetentionPlan {
  const ownCutoffMs = new Map<number, number>();
  const ownLimits = new Map<number, number>();
  for (const j of jobs) {
    if (j.historyDays !== null) ownCutoffMs.set(j.id, nowMs - j.historyDays * DAY_MS);
    if (j.historyLimit !== null) ownLimits.set(j.id, j.historyLimit);
  }
  return {
    defaultCutoffMs: defaults.days === null ? null : nowMs - defaults.days * DAY_MS,
    ownCutoffMs,
    defaultLimit: defaults.limit,
    ownLimits,
  };
}

/** True when the plan can delete nothing at all: no cutoff and no count limit anywhere. */
export function keepsEverything(plan: RetentionPlan): boolean {
  return plan.defaultCutoffMs === null && plan.ownCutoffMs.size === 0 && plan.defaultLimit === null && plan.ownLimits.size === 0;
}

/**
 * The pause after a batch: as long as the batch took (so the sweep holds the database at most about
 * half the time, and slows down when the database is busy), at least `minMs`, at most `maxMs`.
 */
export function pauseAfterBatchMs(batchMs: number, minMs = 50, maxMs = 2000): number {
  return Math.min(maxMs, Math.max(minMs, Math.round(batchMs)));
}
