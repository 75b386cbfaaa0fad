import { elapsedMs } from '@cronfleet/shared/api';
import { api } from '../api/client';
import type { WorkflowRunSummary } from '../api/types';
import { formatDuration, local } from '../app/format';
import { href } from '../app/router';
import { ActionButton, StatusBadge, Time, TableCard } from './ui';

/** A workflow's runs, newest first: outcome, trigger, times, and the actions that fit their state. */
export function RunsTable({ runs, reload }: { runs: readonly WorkflowRunSummary[]; reload: () => void }) {
  return (
    <TableCard stack>
      <table className="table runs-table">
        <thead>
          <tr>
            <th>Run</th>
            <th>Status</th>
            <th>Trigger</th>
            <th>Started</th>
            <th>Finished</th>
            <th>Duration</th>
            <th>Retries</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-run={r.id} data-status={r.status}>
              <td>
                <a href={href(`/workflow-runs/${r.id}`)}>#{r.id}</a>
              </td>
              <td>
                <StatusBadge status={r.status} />
                {r.reason && <div className="muted small">{r.reason}</div>}
              </td>
              <td>
                {r.trigger}
                {r.scheduledAt && <span className="muted small"> due {local(r.scheduledAt)}</span>}
              </td>
              <td title={r.startedAt}>
                {local(r.startedAt)} <Time iso={r.startedAt} />
              </td>
              <td>{local(r.finishedAt)}</td>
              <td>{formatDuration(elapsedMs(r.startedAt, r.finishedAt, Date.now()))}</td>
              <td>{r.retries || <span className="muted">–</span>}</td>
              <td className="actions">
                <RunActions run={r} reload={reload} />
              </td>
            </tr>
          ))}
          {runs.length === 0 && (
            <tr>
              <td colSpan={8} className="empty">
                No runs yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </TableCard>
  );
}

/** Kill and stop a running run; retry a failed, killed or cancelled one from its failed steps (operators and up). */
export function RunActions({ run, reload }: { run: WorkflowRunSummary; reload: () => void }) {
  if (run.status === 'running')
    return (
      <>
        <ActionButton label="Stop" action={async () => (await api.workflowRuns.stop({ params: { id: run.id }, body: {} }), reload())} done={() => `run #${run.id} stopped`} title="SIGTERM to its running steps, SIGKILL after the grace period; the rest is skipped" />
        <ActionButton label="Kill" kind="danger" confirm={`Kill run #${run.id}?`} action={async () => (await api.workflowRuns.kill({ params: { id: run.id } }), reload())} done={() => `run #${run.id} killed`} title="SIGKILL to its running steps; the rest is skipped" />
      </>
    );
  if (run.status === 'success') return null;
  return (
    <ActionButton
      label="Retry from failed"
      action={async () => (await api.workflowRuns.retry({ params: { id: run.id } }), reload())}
      done={() => `run #${run.id} retried from its failed steps`}
      title="Run again the steps that did not succeed (and what depends on them); succeeded steps keep their result"
    />
  );
}
