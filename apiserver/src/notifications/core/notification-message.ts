import type { NotifyEvent } from './notify-rule';

/** The facts a notification carries (webhook body; the email says the same in words). Times ISO-8601 UTC. */
export interface NotificationPayload {
  event: NotifyEvent;
  job: { id: number; name: string };
  task: {
    id: number;
    status: string;
    attempt: number;
    scheduledAt: string;
    startedAt: string | null;
    finishedAt: string | null;
    exitCode: number | null;
    error: { code: string; message: string } | null;
  };
  /** When the notification was made. */
  at: string;
}

export function emailSubject(p: NotificationPayload): string {
  return `[cronfleet] ${p.job.name} ${p.event}: task ${p.task.id}`;
}

export function emailText(p: NotificationPayload): string {
  const t = p.task;
  return [
    `Cron job '${p.job.name}' (id ${p.job.id}): ${p.event}.`,
    '',
    `task:        ${t.id} (attempt ${t.attempt})`,
    `status:      ${t.status}`,
    `scheduled:   ${t.scheduledAt}`,
    `started:     ${t.startedAt ?? '-'}`,
    `finished:    ${t.finishedAt ?? '-'}`,
    `exit code:   ${t.exitCode ?? '-'}`,
    `error:       ${t.error ? `${t.error.code}: ${t.error.message}` : '-'}`,
    '',
    `sent at ${p.at} by cronfleet`,
    '',
  ].join('\n');
}
