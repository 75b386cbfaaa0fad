import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { CronJob, TimelineRun } from '../api/types';
import { RunNowButton } from '../components/RunDialog';
import { useLiveEvents, useResource, useThrottled } from '../app/hooks';
import { useMixedNamespaces, useNamespaceFilter } from '../app/namespace';
import { useAllowed } from '../app/role';
import { href, navigate } from '../app/router';
import { ActionButton, ErrorNote, PageHeader, Time, TimelineStrip, TableCard } from '../components/ui';

const PAGE = 50;

/** Cron jobs: search, filter, a strip of recent runs per job, and the everyday actions. */
export function JobsPage({ query }: { query: URLSearchParams }) {
  const q = query.get('q') ?? '';
  const enabled = query.get('enabled') ?? '';
  const [search, setSearch] = useState(q);
  const namespace = useNamespaceFilter();
  const mixed = useMixedNamespaces();
  const [pages, setPages] = useState<string[]>([]); // cursors of extra pages loaded with "More"
  useEffect(() => setPages([]), [q, enabled, namespace]);

  // Typing updates the URL (so a search can be shared or reloaded) a moment after the last key.
  useEffect(() => {
    if (search === q) return;
    const t = window.setTimeout(() => navigate(href('/jobs', { q: search.trim(), enabled }), true), 300);
    return () => window.clearTimeout(t);
  }, [search, q, enabled]);

  const list = useResource(async () => {
    const filter = { namespace, q: q || undefined, enabled: enabled === '' ? undefined : enabled === 'true' ? ('true' as const) : ('false' as const), limit: PAGE };
    const first = await api.cronjobs.list({ query: filter });
    const items = [...first.items];
    let next = first.nextCursor;
    for (const cursor of pages) {
      const p = await api.cronjobs.list({ query: { ...filter, cursor } });
      items.push(...p.items);
      next = p.nextCursor;
    }
    const timeline = items.length ? await api.cronjobs.timeline({ query: { ids: items.map((j) => j.id).join(','), limit: 20 } }) : { items: [] };
    return { items, next, runs: new Map(timeline.items.map((t) => [t.cronjobId, t.runs])) };
  }, [q, enabled, namespace, pages.join(',')]);

  const canDefine = useAllowed('admin');
  const refresh = useThrottled(list.reload, 1000);
  const live = useLiveEvents({ type: 'cronjob.,task.created,task.started,task.finished', namespace }, refresh);

  return (
    <div>
      <PageHeader title="Cron jobs">
        <span className={`live live-${live}`} title="live updates">
          {live}
        </span>
        {canDefine && (
          <a className="btn btn-primary" href={href('/jobs/new')}>
            New job
          </a>
        )}
      </PageHeader>
      <div className="filters">
        <input type="search" placeholder="Search by name" aria-label="Search cron jobs" value={search} onChange={(e) => setSearch(e.target.value)} />
        <select aria-label="Show" value={enabled} onChange={(e) => navigate(href('/jobs', { q, enabled: e.target.value }), true)}>
          <option value="">all jobs</option>
          <option value="true">enabled</option>
          <option value="false">paused</option>
        </select>
      </div>
      <ErrorNote error={list.error} />
      <TableCard stack>
        <table className="table jobs-table">
          <thead>
            <tr>
              <th>Name</th>
              {mixed && <th>Namespace</th>}
              <th>Schedule</th>
              <th>Runner</th>
              <th>Next run</th>
              <th>Recent runs</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((j) => <JobRow key={j.id} job={j} runs={list.data?.runs.get(j.id) ?? []} reload={list.reload} showNamespace={mixed} />)}
            {list.data && list.data.items.length === 0 && (
              <tr>
                <td colSpan={mixed ? 7 : 6} className="empty">
                  {q || enabled ? 'No cron job matches.' : 'No cron jobs yet: create one with "New job", the CLI (cronfleet cronjobs apply -f job.yaml) or POST /api/v1/cronjobs.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </TableCard>
      {list.data?.next && (
        <button className="btn" onClick={() => setPages((p) => [...p, list.data!.next!])}>
          More
        </button>
      )}
    </div>
  );
}

function JobRow({ job, runs, reload, showNamespace }: { job: CronJob; runs: TimelineRun[]; reload: () => void; showNamespace: boolean }) {
  const canDefine = useAllowed('admin');
  return (
    <tr data-job={job.name} className={job.enabled ? '' : 'row-paused'}>
      <td>
        <a href={href(`/jobs/${job.id}`)}>{job.name}</a>
        {!job.enabled && <span className="badge badge-paused">paused</span>}
      </td>
      {showNamespace && <td data-testid="namespace">{job.namespace}</td>}
      <td>
        <code>{job.schedule}</code> <span className="muted">{job.timezone}</span>
      </td>
      <td>{job.runner}</td>
      <td>{job.enabled ? <Time iso={job.nextRunAt} /> : <span className="muted">–</span>}</td>
      <td>
        <TimelineStrip runs={runs} />
      </td>
      <td className="actions">
        <RunNowButton job={job} done={(taskId) => `${job.name}: task #${taskId} created`} />
        {job.enabled ? (
          <ActionButton label="Pause" action={async () => (await api.cronjobs.pause({ params: { id: job.id } }), reload())} done={() => `${job.name} paused`} />
        ) : (
          <ActionButton label="Resume" action={async () => (await api.cronjobs.resume({ params: { id: job.id } }), reload())} done={() => `${job.name} resumed`} />
        )}
        {canDefine && (
          <a className="btn" href={href(`/jobs/${job.id}/edit`)}>
            Edit
          </a>
        )}
        <ActionButton needs="admin" label="Delete" kind="danger" confirm={`Delete ${job.name} and its history?`} action={async () => (await api.cronjobs.remove({ params: { id: job.id } }), reload())} done={() => `${job.name} deleted`} />
      </td>
    </tr>
  );
}
