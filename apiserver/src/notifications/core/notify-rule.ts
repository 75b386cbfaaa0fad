/** What a cron job can be notified of when one of its tasks ends. */
export const NOTIFY_EVENTS = ['failure', 'success', 'timeout', 'lost', 'recovered'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** One entry of a job's `notify` list, as stored (header values included). */
export interface NotifyRule {
  on: NotifyEvent[];
  webhook?: { url: string; headers?: Record<string, string> };
  email?: { to: string[] };
}

/** Statuses that count as an outcome when deciding `recovered` (skipped and cancelled tasks never ran). */
export const OUTCOME_STATUSES = ['success', 'failed', 'timeout', 'lost', 'killed'] as const;

/**
 * The events a task's final status raises. `recovered` is a success whose job's previous outcome
 * (`previousStatus`, the latest other task of the job in OUTCOME_STATUSES; null when there is none)
 * was not a success: the first success of a new job is not a recovery.
 */
export function eventsFor(status: string, previousStatus: string | null): NotifyEvent[] {
  switch (status) {
    case 'failed':
      return ['failure'];
    case 'timeout':
      return ['timeout'];
    case 'lost':
      return ['lost'];
    case 'success':
      return previousStatus !== null && previousStatus !== 'success' ? ['success', 'recovered'] : ['success'];
    default:
      return [];
  }
}
