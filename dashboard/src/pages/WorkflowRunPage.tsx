import { useEffect, useMemo, useState } from 'react';
import { elapsedMs } from '@cronfleet/shared/api';
import { api } from '../api/client';
import type { RunStep, WorkflowRun } from '../api/types';
import { formatDuration, local } from '../app/format';
import { useLiveEvents, useResource, useThrottled } from '../app/hooks';
import { href, navigate } from '../app/router';
import { groupProgress, runLines, succeedWhenText } from '../app/workflow-format';
import { RunActions } from '../components/RunsTable';
import { StateLegend, WorkflowDag, type DagStepView } from '../components/WorkflowDag';
import { ErrorNote, NamespaceTag, PageHeader, StatusBadge, Time, WorkerLink, TableCard } from '../components/ui';

/**
 * One workflow run: its graph with each step's live state, the selected step's tasks (each links to
 * its task page with the live output), and kill, stop and retry. Reloads on its `workflow.run`
 * events, on the start and end of its tasks, and on every (re)connect of the event stream.
 */
export function WorkflowRunPage({ id, step: selected }: { id: number; step: string | null }) {
  const run = useResource(() => api.workflowRuns.get({ params: { id } }), [id]);
  const refresh = useThrottled(run.reload, 500);
  const r = run.data;
  const taskIds = useMemo(() => new Set(r?.steps.flatMap((s) => s.taskIds)), [r]);
  const live = useLiveEvents({ type: 'workflow.run,task.started,task.finished' }, (m) => {
    if (m.event === 'connected') return refresh();
    if (m.event === 'workflow.run') {
      if (m.data.runId === id) refresh();
      return;
    }
    if (m.event !== 'task.started' && m.event !== 'task.finished') return;
    // Step tasks have no cron job. One this page has not read yet may be the run's newest; while the
    // run goes on, such a task's start or end is worth a (throttled) look.
    if (taskIds.has(m.data.taskId) || (r?.status === 'running' && m.data.cronjobId === null)) refresh();
  });

  // A tick a second while it runs, so durations move.
  const [now, setNow] = useState(Date.now());
  const running = r?.status === 'running' || r?.steps.some((s) => s.state === 'running');
  useEffect(() => {
    if (!running) return;
    const i = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(i);
  }, [running]);

  const steps = useMemo<DagStepView[]>(
    () =>
      // The server's state as it is: `killed` is told apart there, for the API, the CLI and this page alike.
      (r?.steps ?? []).map((s) => ({ id: s.id, dependsOn: s.dependsOn, when: s.when, kind: s.kind, state: s.state, lines: runLines(s, s.state, now) })),
    [r, now],
  );
  if (!r) return <ErrorNote error={run.error} />;
  const select = (s: string) => navigate(href(`/workflow-runs/${id}`, { step: s === selected ? null : s }), true);
  const step = r.steps.find((s) => s.id === selected);
  return (
    <div>
      <PageHeader
        title={
          <>
            <a href={href(`/workflows/${r.workflowId}`)}>{r.workflowName}</a> <NamespaceTag name={r.namespace} /> <span className="muted">run #{r.id}</span> <StatusBadge status={r.status} />
          </>
        }
      >
        <span className={`live live-${live}`} title="live updates">
          {live}
        </span>
        <RunActions run={r} reload={run.reload} />
      </PageHeader>
      <ErrorNote error={run.error} />
      <Summary run={r} now={now} />
      <div className="dag-header">
        <h2>
          Steps <span className="muted small">click a step for its tasks</span>
        </h2>
        <StateLegend />
      </div>
      <WorkflowDag steps={steps} label={`steps of run ${r.id}`} selected={selected} onSelect={select} />
      {selected && !step && <ErrorNote error={new Error(`run #${r.id} has no step '${selected}'`)} />}
      {step && <StepTasks step={step} now={now} />}
    </div>
  );
}

function Summary({ run: r, now }: { run: WorkflowRun; now: number }) {
  return (
    <section className="card">
      <dl className="columns">
        <dt>Trigger</dt>
        <dd>
          {r.trigger}
          {r.scheduledAt && <> for {local(r.scheduledAt)}</>}
          {r.retries > 0 && <>, retried {r.retries}×</>}
        </dd>
        <dt>Started</dt>
        <dd>
          {local(r.startedAt)} <Time iso={r.startedAt} />
        </dd>
        <dt>Finished</dt>
        <dd>{local(r.finishedAt)}</dd>
        <dt>Duration</dt>
        <dd data-testid="run-duration">{formatDuration(elapsedMs(r.startedAt, r.finishedAt, now))}</dd>
        {r.reason && (
          <>
            <dt>Reason</dt>
            <dd>{r.reason}</dd>
          </>
        )}
        {r.params && Object.keys(r.params).length > 0 && (
          <>
            <dt>Params</dt>
            <dd data-testid="run-params">
              {Object.entries(r.params).map(([k, v]) => (
                <code key={k} className="param-value">
                  {k}={v}
                </code>
              ))}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

function StepTasks({ step: s, now }: { step: RunStep; now: number }) {
  const workers = useResource(() => api.workers.list(), []);
  const workerNames = useMemo(() => new Map(workers.data?.items.map((w) => [w.id, w.name])), [workers.data]);
  const state = s.state;
  const tasks = [...s.tasks].sort((a, b) => (a.item ?? 0) - (b.item ?? 0) || a.attempt - b.attempt || a.taskId - b.taskId);
  return (
    <section className="card step-detail" data-testid="step-tasks" data-step={s.id}>
      <h2>
        {s.id} <StatusBadge status={state} />
      </h2>
      <dl className="columns">
        <dt>Kind</dt>
        <dd>{s.group ? `group of ${s.group.size}: ${succeedWhenText(s.group.succeedWhen)} must succeed${s.group.maxParallel ? `, at most ${s.group.maxParallel} at once` : ''}` : `one ${s.runner} task`}</dd>
        <dt>Runs when</dt>
        <dd>{s.dependsOn.length === 0 ? 'the run starts' : `${s.dependsOn.join(', ')} ${s.when === 'success' ? 'succeeded' : s.when === 'failure' ? 'ended, one failed' : 'ended'}`}</dd>
        {s.group && (
          <>
            <dt>Progress</dt>
            <dd>
              {groupProgress(s.group)}
              {s.group.waiting > 0 && ` · ${s.group.waiting} waiting`}
            </dd>
          </>
        )}
        <dt>Attempts</dt>
        <dd>
          {s.attempts}
          {s.retry ? <span className="muted"> (retries up to {s.retry.maxRetries})</span> : null}
        </dd>
        <dt>Started</dt>
        <dd>{local(s.startedAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(elapsedMs(s.startedAt, s.finishedAt, now))}</dd>
      </dl>
      {tasks.length === 0 ? (
        <p className="muted">{state === 'skipped' ? 'Skipped: it made no task.' : 'No task yet.'}</p>
      ) : (
        <TableCard stack>
          <table className="table tasks-table">
            <thead>
              <tr>
                <th>Task</th>
                {s.group && <th>Member</th>}
                <th>Attempt</th>
                <th>Status</th>
                <th>Started</th>
                <th>Duration</th>
                <th>Worker</th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((t) => (
                <tr key={t.taskId} data-task={t.taskId} data-status={t.status}>
                  <td>
                    <a href={href(`/tasks/${t.taskId}`)}>#{t.taskId}</a>
                  </td>
                  {s.group && <td>{t.item ?? '–'}</td>}
                  <td>{t.attempt}</td>
                  <td>
                    <StatusBadge status={t.status} />
                    {t.exitCode !== null && t.status !== 'success' && <span className="muted"> exit {t.exitCode}</span>}
                    {t.status === 'pending' && t.runAt && Date.parse(t.runAt) > now && <span className="muted small"> retry at {local(t.runAt)}</span>}
                  </td>
                  <td>
                    <Time iso={t.startedAt} />
                  </td>
                  <td>{formatDuration(elapsedMs(t.startedAt, t.finishedAt, now))}</td>
                  <td>
                    <WorkerLink id={t.workerId} names={workerNames} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableCard>
      )}
    </section>
  );
}
