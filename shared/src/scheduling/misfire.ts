import { lastRunAtMs, nextRunAtMs, type Schedule } from './schedule';

/**
 * What to do with due times that passed without a run (no leader, a stalled leader, downtime):
 * - `skip`: none of them run; the job continues with its next future due time;
 * - `runOnce`: one run, for the most recent missed due time;
 * - `catchUp`: one run per missed due time, oldest first, at most `limit` (1-1000) of them: the
 *   most recent `limit`, because after a long outage the newest runs are the ones still relevant.
 * With a starting deadline, a missed due time older than it is dropped under every policy.
 */
export type MisfirePolicy = { kind: 'skip' } | { kind: 'runOnce' } | { kind: 'catchUp'; limit: number };

/** Options of `dueTimesToRun`. */
export interface MisfireOptions {
  /** Grid anchor of `every` schedules (epoch ms); default 0. */
  anchorMs?: number;
  /** A due time more than this many seconds before now is not run; null or absent: no deadline. */
  startingDeadlineSeconds?: number | null;
}

/** Largest `catchUp.limit`: each missed run becomes a Task. */
export const MAX_CATCH_UP = 1000;

/**
 * Given `firstMissedMs`, the first due time that did not run (≤ `nowMs`), decides which missed due
 * times run now (`run`, oldest first, each ≤ nowMs) and the next due time after `nowMs` (`nextMs`,
 * null when the schedule has ended). The missed due times are `firstMissedMs` and every fire time
 * of `schedule` after it up to and including `nowMs`.
 *
 * Work is bounded by the number of runs returned, not by the length of the outage: the times are
 * found backwards from `nowMs` with `lastRunAtMs`, so a week of a missed `@every 1s` costs at most
 * `limit` steps. A `firstMissedMs` after `nowMs` is not missed yet: no run, and it is `nextMs`.
 * Throws RangeError for non-finite times or a `catchUp.limit` outside 1-1000.
 */
export function dueTimesToRun(
  schedule: Schedule,
  firstMissedMs: number,
  nowMs: number,
  policy: MisfirePolicy,
  opts: MisfireOptions = {},
): { run: number[]; nextMs: number | null } {
  if (!Number.isFinite(firstMissedMs) || !Number.isFinite(nowMs)) {
    throw new RangeError(`dueTimesToRun: firstMissedMs (${firstMissedMs}) and nowMs (${nowMs}) must be finite`);
  }
  if (policy.kind === 'catchUp' && !(Number.isInteger(policy.limit) && policy.limit >= 1 && policy.limit <= MAX_CATCH_UP)) {
    throw new RangeError(`dueTimesToRun: catchUp limit (${policy.limit}) must be a whole number from 1 to ${MAX_CATCH_UP}`);
  }
  if (firstMissedMs > nowMs) return { run: [], nextMs: firstMissedMs };
  const anchorMs = opts.anchorMs ?? 0;
  const nextMs = nextRunAtMs(schedule, nowMs, anchorMs);
  const wanted = policy.kind === 'skip' ? 0 : policy.kind === 'runOnce' ? 1 : policy.limit;
  const deadline = opts.startingDeadlineSeconds;
  const oldest = deadline === null || deadline === undefined ? firstMissedMs : Math.max(firstMissedMs, nowMs - deadline * 1000);
  const newestFirst: number[] = [];
  let due = lastRunAtMs(schedule, nowMs, anchorMs);
  while (newestFirst.length < wanted && due !== null && due > firstMissedMs && due >= oldest) {
    newestFirst.push(due);
    due = lastRunAtMs(schedule, due - 1, anchorMs);
  }
  if (newestFirst.length < wanted && firstMissedMs >= oldest) newestFirst.push(firstMissedMs);
  return { run: newestFirst.reverse(), nextMs };
}
