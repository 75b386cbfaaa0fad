import { wallClock } from '@cronfleet/shared/api';
import { api } from '../api/client';
import { useLiveEvents, useResource, useThrottled } from '../app/hooks';
import { useAllowed } from '../app/role';
import { href, navigate } from '../app/router';
import { TasksTable } from '../components/TasksTable';
import { RunNowButton } from '../components/RunDialog';
import { JobHistory } from './JobHistory';
import { SettingsSummary } from '../components/forms/SettingsSummary';
import { ActionButton, ErrorNote, NamespaceTag, PageHeader, Time, TimelineStrip } from '../components/ui';

/**
 * One cron job: its settings, next due times in its zone, its run strip, its latest tasks and its
 * versions (`version`: the one whose definition is open).
 */
export function JobPage({ id, version = null }: { id: number; version?: number | null }) {
  const data = useResource(async () => {
    const [job, next, timeline, tasks, workers] = await Promise.all([api.cronjobs.get({ params: { id } }), api.cronjobs.next({ params: { id }, query: { count: 5 } }), api.cronjobs.timeline({ query: { ids: String(id), limit: 60 } }), api.tasks.list({ query: { cronjobId: id, limit: 25 } }), api.workers.list()]);
    return { job, next: next.next, runs: timeline.items[0]?.runs ?? [], tasks: tasks.items, workerNames: new Map(workers.items.map((w) => [w.id, w.name])) };
  }, [id]);
  const canDefine = useAllowed('admin');
  const refresh = useThrottled(data.reload, 1000);
  useLiveEvents({ cronjobId: id }, refresh);

  const job = data.data?.job;
  if (!job) return <ErrorNote error={data.error} />;
  return (
    <div>
      <PageHeader
        title={
          <>
            {job.name} <NamespaceTag name={job.namespace} />
          </>
        }
      >
        <RunNowButton job={job} kind="primary" />
        <RunNowButton job={job} overrides />
        {job.enabled ? (
          <ActionButton label="Pause" action={async () => (await api.cronjobs.pause({ params: { id } }), data.reload())} done={() => 'paused'} />
        ) : (
          <ActionButton label="Resume" action={async () => (await api.cronjobs.resume({ params: { id } }), data.reload())} done={() => 'resumed'} />
        )}
        {canDefine && (
          <a className="btn" href={href(`/jobs/${id}/edit`)}>
            Edit
          </a>
        )}
        <ActionButton
          needs="admin"
          label="Delete"
          kind="danger"
          confirm="Delete this job and its history?"
          action={async () => {
            await api.cronjobs.remove({ params: { id } });
            navigate(href('/jobs'));
          }}
          done={() => `${job.name} deleted`}
        />
      </PageHeader>
      <ErrorNote error={data.error} />
      <div className="cards">
        <section className="card">
          <h2>Schedule</h2>
          <dl>
            <dt>Expression</dt>
            <dd>
              <code>{job.schedule}</code>
            </dd>
            <dt>Time zone</dt>
            <dd>{job.timezone}</dd>
            <dt>State</dt>
            <dd>{job.enabled ? 'enabled' : 'paused'}</dd>
            <dt>Next runs</dt>
            <dd>
              <ol className="next-runs">
                {(job.enabled ? data.data!.next : []).map((n) => (
                  <li key={n}>
                    {wallClock(n, job.timezone)} <span className="muted">(<Time iso={n} />)</span>
                  </li>
                ))}
                {!job.enabled && <li className="muted">paused</li>}
              </ol>
            </dd>
          </dl>
        </section>
        <section className="card">
          <h2>Run</h2>
          <dl>
            <dt>Runner</dt>
            <dd>{job.runner}</dd>
            <dt>Spec</dt>
            <dd>
              <pre className="spec">{JSON.stringify(job.spec, null, 2)}</pre>
            </dd>
            <dt>Timeout</dt>
            <dd>{job.timeoutSeconds ? `${job.timeoutSeconds} s` : 'none'}</dd>
            {(job.params ?? []).length > 0 && (
              <>
                <dt>Params</dt>
                <dd>
                  {job.params!.map((p) => (
                    <div key={p.name}>
                      <code>{p.name}</code>
                      {p.required ? ' (required)' : ''}
                      {p.default !== undefined ? ` default ${p.default}` : ''}
                      {p.enum ? `, one of ${p.enum.join(', ')}` : p.pattern !== undefined ? `, matching ${p.pattern}` : ''}
                      {p.description ? <span className="muted"> — {p.description}</span> : null}
                    </div>
                  ))}
                </dd>
              </>
            )}
          </dl>
        </section>
        <section className="card">
          <h2>Settings</h2>
          <SettingsSummary job={job} />
        </section>
      </div>
      <h2>Recent runs</h2>
      <TimelineStrip runs={data.data!.runs} slots={60} />
      <h2>
        Tasks <a className="small" href={href('/tasks', { cronjobId: id })}>all</a>
      </h2>
      <TasksTable tasks={data.data!.tasks} showJob={false} reload={data.reload} workerNames={data.data!.workerNames} />
      <JobHistory jobId={id} latest={job.version} selected={version} onChanged={data.reload} />
    </div>
  );
}
