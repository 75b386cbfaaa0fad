import type { NotifyEvent } from '@cronfleet/shared';

/** Statuses that count as an outcome when deciding `recovered` (skipped and cancelled tasks never ran). */
export const OUTCOME_STATUSES = ['success', 'failed', 'timeout', 'lost', 'killed'] as const;

/** How one attempt ended, as far as notifications care. */
export interface AttemptEnd {
  status: string;
  /** True when no retry follows: the run has ended with this attempt. */
  final: boolean;
}

/** The event that ends a run for good, by the status of its last attempt. */
const RUN_FAILURE: Readonly<Record<string, NotifyEvent>> = { failed: 'failure', timeout: 'timeout', lost: 'lost' };

/**
 * The events an attempt's end raises. A failed, timed-out or lost attempt raises `attemptFailure`,
 * and, when it is final (retries exhausted, not retryable, or no retry policy), the run's
 * `failure`, `timeout` or `lost` as well. A success always ends its run: `success`, plus `recovered`
 * when the job's previous run (`previousRunStatus`: the status of the latest attempt with an outcome,
 * see OUTCOME_STATUSES, of another due time; null when there is none) did not end in success. The
 * first success of a new job, or a retry that succeeds, is not a recovery by itself. Killed, skipped
 * and cancelled tasks raise nothing: someone ended them on purpose.
 */
export function eventsFor(end: AttemptEnd, previousRunStatus: string | null): NotifyEvent[] {
  if (end.status === 'success') {
    return previousRunStatus !== null && previousRunStatus !== 'success' ? ['success', 'recovered'] : ['success'];
  }
  const runFailure = RUN_FAILURE[end.status];
  if (runFailure === undefined) return [];
  return end.final ? [runFailure, 'attemptFailure'] : ['attemptFailure'];
}
