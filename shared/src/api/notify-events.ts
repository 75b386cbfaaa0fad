/**
 * What a cron job can be notified of. A run is all attempts of one due time (the first task and its
 * retries); `failure`, `timeout`, `lost` and `success` are raised once per run, by the attempt that
 * ends it. `attemptFailure` is raised by every attempt that failed, timed out or was lost, whether a
 * retry follows or not.
 */
export const NOTIFY_EVENTS = ['failure', 'success', 'timeout', 'lost', 'recovered', 'attemptFailure'] as const;

export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];
