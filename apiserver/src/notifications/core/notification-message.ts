import type { NotifyEvent } from '@cronfleet/shared';

/**
 * The facts a notification carries: the webhook's JSON body; the email says the same in words.
 * Times are ISO-8601 UTC. A run is all attempts of one due time: the first task and its retries.
 */
export interface NotificationPayload {
  event: NotifyEvent;
  job: { id: number; name: string };
  /** The attempt whose end raised the event (for `failure`, `timeout`, `lost`: the run's last one). */
  task: {
    id: number;
    status: string;
    /** This attempt's number, from 1. */
    attempt: number;
    /**
     * How many attempts the run's retry policy allows (`maxRetries + 1`; 1 without a policy), never
     * less than `attempt` (a retry through the API can go past the policy). A run that failed for
     * good after its retries reads `attempt` = `attempts`; one ended earlier (an error that is not
     * retried) reads fewer.
     */
    attempts: number;
    scheduledAt: string;
    startedAt: string | null;
    finishedAt: string | null;
    exitCode: number | null;
    /** This attempt's error; of the run's last attempt, the run's final error. */
    error: { code: string; message: string } | null;
  };
  /** True when no retry follows this attempt: the run has ended with it. Always true for `success`. */
  final: boolean;
  /**
   * The retry that follows this attempt (`final` false): `delayMs` after the attempt ended, due
   * `at`. Null when the run has ended.
   */
  retry: { delayMs: number; at: string } | null;
  /** When the notification was made. */
  at: string;
}

/** The attempt a notification is about, as stored (plain values: a task row fits). */
export interface NotifiedTask {
  id: number;
  attempt: number;
  retry: { maxRetries: number } | null;
  scheduledAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  exitCode: number | null;
  error: { code: string; message: string } | null;
}

/** How the attempt ended, as the task lifecycle announced it. */
export interface NotifiedEnd {
  status: string;
  final: boolean;
  /** Wait before the retry that follows, in ms; null when final. */
  retryDelayMs: number | null;
  /** When the end was announced (epoch ms): the retry is due `retryDelayMs` after it. */
  endedAtMs: number;
}

export function toPayload(event: NotifyEvent, job: { id: number; name: string }, t: NotifiedTask, end: NotifiedEnd, nowMs: number): NotificationPayload {
  // A success ends its run whatever the caller said; a non-final end without a delay has no known retry time.
  const final = end.final || end.status === 'success';
  const retry = !final && end.retryDelayMs !== null ? { delayMs: end.retryDelayMs, at: new Date(end.endedAtMs + end.retryDelayMs).toISOString() } : null;
  return {
    event,
    job: { id: job.id, name: job.name },
    task: {
      id: t.id,
      status: end.status,
      attempt: t.attempt,
      attempts: Math.max(t.attempt, (t.retry?.maxRetries ?? 0) + 1),
      scheduledAt: t.scheduledAt.toISOString(),
      startedAt: t.startedAt?.toISOString() ?? null,
      finishedAt: t.finishedAt?.toISOString() ?? null,
      exitCode: t.exitCode,
      error: t.error ? { code: t.error.code, message: t.error.message } : null,
    },
    final,
    retry,
    at: new Date(nowMs).toISOString(),
  };
}

export function emailSubject(p: NotificationPayload): string {
  return `[cronfleet] ${p.job.name} ${p.event}: task ${p.task.id}`;
}

export function emailText(p: NotificationPayload): string {
  const t = p.task;
  return [
    `Cron job '${p.job.name}' (id ${p.job.id}): ${p.event}.`,
    '',
    `task:        ${t.id} (attempt ${t.attempt} of ${t.attempts})`,
    `status:      ${t.status}`,
    `scheduled:   ${t.scheduledAt}`,
    `started:     ${t.startedAt ?? '-'}`,
    `finished:    ${t.finishedAt ?? '-'}`,
    `exit code:   ${t.exitCode ?? '-'}`,
    `error:       ${t.error ? `${t.error.code}: ${t.error.message}` : '-'}`,
    `retry:       ${retryText(p)}`,
    '',
    `sent at ${p.at} by cronfleet`,
    '',
  ].join('\n');
}

function retryText(p: NotificationPayload): string {
  if (p.retry) return `attempt ${p.task.attempt + 1} in ${formatDelay(p.retry.delayMs)}, at ${p.retry.at}`;
  if (p.final) return 'none: the run has ended';
  return 'follows';
}

function formatDelay(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}
