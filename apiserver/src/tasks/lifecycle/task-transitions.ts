import type { SerializedError, TaskStatus } from '@cronfleet/shared';
import { retryDelayMs, type RetryPolicy } from '@cronfleet/shared';

/*
 * A task's life. TaskLifecycle is the only writer of `tasks.status`, and every change is one of the
 * transitions below, applied as one conditional write: from the states listed, and (column `by`)
 * only while the task is given to the worker named (`worker`) or to no worker (`none`). A
 * transition whose condition no longer holds changes nothing, causes nothing, and says why.
 *
 *   submit ─────▶ pending ── claim (fenced) ──▶ pending ──── start ────▶ running
 *  (due time,    (no worker) ◀── unclaim ──── (worker set)                  │
 *   run now,       │  │  │                      │    │                      │
 *   API, retry,    │  │  └─ skip ─▶ skipped     │    └─ unrunnable ─▶ failed │
 *   chain,         │  └──── kill ─▶ killed      │                           │
 *   workflow,      └────── cancel ─▶ cancelled  └────────── end ◀───────────┘
 *   shard)                                        success | failed | timeout | killed
 *
 *   lose     pending (worker set) | running ─▶ lost      (its worker restarted or went silent)
 *   expire   running ─▶ timeout                          (the server's watchdog)
 *   late     lost ─▶ success | failed | timeout | killed (the result its worker kept, arriving late)
 *
 * `start`, `end` and `late` come from the worker's own reports; the others are the server's. What
 * follows a change (metrics, live events, notifications, chains, workflow runs, retries, the
 * worker's slot) reacts to the TaskEvent published once the write has committed.
 */

export type TransitionName = 'start' | 'end' | 'late' | 'cancel' | 'kill' | 'skip' | 'unrunnable' | 'lose' | 'expire';

export interface Transition {
  from: readonly TaskStatus[];
  /** The state it leads to; null: the one the worker reports. */
  to: TaskStatus | null;
  /** Whose the task must be: the worker named in the write, or no worker's yet. */
  by: 'worker' | 'none';
}

export const TRANSITIONS: Readonly<Record<TransitionName, Transition>> = {
  start: { from: ['pending'], to: 'running', by: 'worker' },
  end: { from: ['pending', 'running'], to: null, by: 'worker' },
  late: { from: ['lost'], to: null, by: 'worker' },
  cancel: { from: ['pending'], to: 'cancelled', by: 'none' },
  kill: { from: ['pending'], to: 'killed', by: 'none' },
  skip: { from: ['pending'], to: 'skipped', by: 'none' },
  unrunnable: { from: ['pending'], to: 'failed', by: 'worker' },
  lose: { from: ['pending', 'running'], to: 'lost', by: 'worker' },
  expire: { from: ['running'], to: 'timeout', by: 'worker' },
};

/** Live states: the task holds (or waits for) a worker. */
export const LIVE_STATUSES: readonly TaskStatus[] = ['pending', 'running'];
/** Ends after which a task's retry policy applies. */
export const RETRYABLE_STATUSES: readonly TaskStatus[] = ['failed', 'timeout', 'lost'];

/** A worker's report: `running`, or the end it saw. */
export type ReportedStatus = 'running' | 'success' | 'failed' | 'timeout' | 'killed';

/** The row as a report is judged against: null when there is no such task. */
export interface ReportedTask {
  status: TaskStatus;
  workerId: number | null;
}

/**
 * What to do with a worker's report: apply a transition, acknowledge one already applied
 * (`duplicate`: the same report again, after a lost ack), or refuse it with the reason.
 */
export type ReportVerdict =
  | { kind: 'apply'; transition: 'start' | 'end' | 'late' }
  | { kind: 'duplicate' }
  | { kind: 'refuse'; error: SerializedError };

const refuse = (code: string, message: string): ReportVerdict => ({ kind: 'refuse', error: { code, message, retryable: false } });

/**
 * Judges a report of task `taskId` by worker `workerId` against the stored row. Only the worker the
 * task was given to may report on it; a report of a state the task has passed is a duplicate when it
 * says what is stored, and refused otherwise (the server ended it first: lost, timed out, killed).
 */
export function judgeReport(taskId: number, row: ReportedTask | null, workerId: number, reported: ReportedStatus): ReportVerdict {
  if (!row) return refuse('UnknownTask', `task ${taskId} does not exist`);
  if (row.workerId !== workerId) return refuse('TaskNotYours', `task ${taskId} was not sent to worker ${workerId}`);
  if (reported === 'running') {
    if (row.status === 'pending') return { kind: 'apply', transition: 'start' };
    // Running already, or ended (its end folded in first): nothing left to record.
    return row.status === 'running' || row.status !== 'lost' ? { kind: 'duplicate' } : refuse('TaskAlreadyEnded', `task ${taskId} was declared lost; its running report is not recorded`);
  }
  if (TRANSITIONS.end.from.includes(row.status)) return { kind: 'apply', transition: 'end' };
  if (TRANSITIONS.late.from.includes(row.status)) return { kind: 'apply', transition: 'late' };
  if (row.status === reported) return { kind: 'duplicate' };
  return refuse('TaskAlreadyEnded', `task ${taskId} has already ended ${row.status}; its ${reported} result is not recorded`);
}

/** A run's next step after an end: a retry after `delayMs`, or none (the run has ended for good). */
export function retryAfterEnd(status: TaskStatus, policy: RetryPolicy | null, attempt: number): number | null {
  if (!RETRYABLE_STATUSES.includes(status) || !policy) return null;
  return retryDelayMs(policy, attempt);
}

/** Why a task ended `timeout` by the server's watchdog: names the limit. */
export function watchdogError(timeoutSeconds: number | null, graceMs: number): SerializedError {
  return {
    code: 'WatchdogTimeout',
    message: `timed out after ${timeoutSeconds} s (timeoutSeconds): its worker reported no end within ${graceMs / 1000} s more, so the server ended it`,
    retryable: true,
  };
}
