import { dueTimesToRun, MisfirePolicy, nextRunAtMs, Schedule } from '@cronfleet/shared';

/**
 * A due time this close to now (or closer) is on time and simply runs; an older one was missed
 * (no leader, a stalled leader, a pause) and its job's misfire policy decides.
 */
export const ON_TIME_MS = 1000;
/** Bound on on-time runs of one job in one tick (a 1 s schedule cannot have more than two). */
const MAX_ON_TIME_RUNS = 100;

export interface DuePlanOptions {
  anchorMs: number;
  misfire: MisfirePolicy;
  startingDeadlineSeconds: number | null;
}

export interface DuePlan {
  /** Missed due times the misfire policy runs late (catch-up runs), oldest first. */
  missed: number[];
  /** Due times that came on time, oldest first. */
  onTime: number[];
  /** The next due time after now; null: the schedule has ended. */
  nextMs: number | null;
}

/** For a job whose due time `dueMs` has come (≤ nowMs): which due times to run now, and the next one. */
export function planDue(schedule: Schedule, dueMs: number, nowMs: number, opts: DuePlanOptions): DuePlan {
  const plan: DuePlan = { missed: [], onTime: [], nextMs: dueMs };
  const cutoff = nowMs - ON_TIME_MS;
  if (dueMs < cutoff) {
    // The deadline counts from now, while the missed range ends at the cutoff, ON_TIME_MS earlier.
    const deadline = opts.startingDeadlineSeconds === null ? null : Math.max(0, opts.startingDeadlineSeconds - ON_TIME_MS / 1000);
    const r = dueTimesToRun(schedule, dueMs, cutoff, opts.misfire, { anchorMs: opts.anchorMs, startingDeadlineSeconds: deadline });
    plan.missed = r.run;
    plan.nextMs = r.nextMs;
  }
  for (let i = 0; plan.nextMs !== null && plan.nextMs <= nowMs && i < MAX_ON_TIME_RUNS; i++) {
    plan.onTime.push(plan.nextMs);
    plan.nextMs = nextRunAtMs(schedule, plan.nextMs, opts.anchorMs);
  }
  return plan;
}
