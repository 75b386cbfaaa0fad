import type { ReactNode } from 'react';
import { elapsedMs, FINAL_TASK_STATUSES } from '@cronfleet/shared/api';
import { api } from '../api/client';
import type { Task } from '../api/types';
import { formatDuration, local } from '../app/format';
import { href, navigate } from '../app/router';
import { ActionButton, StatusBadge, Time, WorkerLink, TableCard } from './ui';

/** Tasks with their outcome, duration and the actions that fit their state (kill, stop, retry, cancel). */
export function TasksTable({
  tasks,
  showJob = true,
  showNamespace = false,
  reload,
  workerNames,
  empty = 'No task has run yet.',
}: {
  tasks: Task[];
  showJob?: boolean;
  showNamespace?: boolean;
  reload: () => void;
  workerNames?: ReadonlyMap<number, string>;
  /** What an empty table says (null: nothing, e.g. while loading). */
  empty?: ReactNode;
}) {
  const columns = 8 + (showJob ? 1 : 0) + (showNamespace ? 1 : 0);
  return (
    <TableCard stack>
      <table className="table tasks-table">
        <thead>
          <tr>
            <th>Task</th>
            {showNamespace && <th>Namespace</th>}
            {showJob && <th>Job</th>}
            <th>Status</th>
            <th>Trigger</th>
            <th>Due</th>
            <th>Started</th>
            <th>Duration</th>
            <th>Worker</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => (
            <tr key={t.id} data-task={t.id} data-status={t.status}>
              <td>
                <a href={href(`/tasks/${t.id}`)}>#{t.id}</a>
                {t.attempt > 1 && <span className="muted"> (attempt {t.attempt})</span>}
              </td>
              {showNamespace && <td data-testid="namespace">{t.namespace}</td>}
              {showJob && (
                <td>
                  {t.workflow ? (
                    <a href={href(`/workflow-runs/${t.workflow.runId}`, { step: t.workflow.step })}>
                      run #{t.workflow.runId} · {t.workflow.step}
                    </a>
                  ) : t.cronjobId ? (
                    <a href={href(`/jobs/${t.cronjobId}`)}>{t.cronjobName}</a>
                  ) : (
                    <span className="muted">one-shot</span>
                  )}
                </td>
              )}
              <td>
                <StatusBadge status={t.status} />
                {t.status === 'failed' && t.exitCode !== null && <span className="muted"> exit {t.exitCode}</span>}
                {t.httpStatus !== null && <span className="muted"> HTTP {t.httpStatus}</span>}
                {t.pendingReason && <div className="muted small">{t.pendingReason}</div>}
              </td>
              <td>{t.trigger}</td>
              <td title={t.scheduledAt}>{local(t.scheduledAt)}</td>
              <td>
                <Time iso={t.startedAt} />
              </td>
              <td>{formatDuration(elapsedMs(t.startedAt, t.finishedAt, Date.now()))}</td>
              <td>
                <WorkerLink id={t.workerId} names={workerNames} />
              </td>
              <td className="actions">
                <TaskActions task={t} reload={reload} />
              </td>
            </tr>
          ))}
          {tasks.length === 0 && empty !== null && (
            <tr>
              <td colSpan={columns} className="empty">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </TableCard>
  );
}

export function TaskActions({ task: t, reload }: { task: Task; reload: () => void }) {
  const ended = FINAL_TASK_STATUSES.includes(t.status);
  return (
    <>
      {t.status === 'running' && (
        <>
          <ActionButton label="Stop" action={async () => (await api.tasks.stop({ params: { id: t.id }, body: {} }), reload())} done={() => `#${t.id} stopped`} title="SIGTERM, then SIGKILL after the grace period" />
          <ActionButton label="Kill" kind="danger" action={async () => (await api.tasks.kill({ params: { id: t.id } }), reload())} done={() => `#${t.id} killed`} title="SIGKILL to the whole process tree (or container)" />
        </>
      )}
      {t.status === 'pending' && <ActionButton label="Cancel" action={async () => (await api.tasks.cancel({ params: { id: t.id } }), reload())} done={() => `#${t.id} cancelled`} />}
      {ended && t.status !== 'success' && (
        <ActionButton
          label="Retry"
          action={async () => {
            const r = await api.tasks.retry({ params: { id: t.id } });
            navigate(href(`/tasks/${r.taskId}`));
            return r;
          }}
          done={(r) => `retry of #${t.id}: task #${(r as { taskId: number }).taskId}`}
        />
      )}
    </>
  );
}
