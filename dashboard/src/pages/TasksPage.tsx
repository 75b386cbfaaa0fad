import { useEffect, useState } from 'react';
import { TASK_STATUSES } from '@cronfleet/shared/api';
import { api } from '../api/client';
import type { Task, TaskStatus } from '../api/types';
import { useLiveEvents, useResource, useThrottled } from '../app/hooks';
import { useMixedNamespaces, useNamespaceFilter } from '../app/namespace';
import { href, navigate } from '../app/router';
import { TasksTable } from '../components/TasksTable';
import { ErrorNote, PageHeader } from '../components/ui';

const PAGE = 50;
const FILTERS = ['cronjobId', 'status', 'workerId', 'since', 'until'] as const;

/** `datetime-local` value (the browser's zone) ⇄ ISO instant. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);
const toLocal = (iso: string | null) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** Task history: filter by job, status, worker and due time; newest first; live while open. */
export function TasksPage({ query }: { query: URLSearchParams }) {
  const f = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const namespace = useNamespaceFilter();
  const mixed = useMixedNamespaces();
  const key = [namespace, ...FILTERS.map((k) => f[k])].join('|');
  const [more, setMore] = useState<{ items: Task[]; next: string | null } | null>(null);
  useEffect(() => setMore(null), [key]);

  const options = useResource(async () => {
    const [jobs, workers] = await Promise.all([api.cronjobs.list({ query: { namespace, limit: 1000 } }), api.workers.list({ query: { namespace } })]);
    return { jobs: jobs.items, workers: workers.items };
  }, [namespace]);

  const filter = {
    namespace,
    cronjobId: f.cronjobId ? Number(f.cronjobId) : undefined,
    // As the URL has it: the server names a status it does not know.
    status: (f.status || undefined) as TaskStatus | undefined,
    workerId: f.workerId ? Number(f.workerId) : undefined,
    since: f.since || undefined,
    until: f.until || undefined,
  };
  const list = useResource(() => api.tasks.list({ query: { ...filter, limit: PAGE } }), [key]);
  const refresh = useThrottled(list.reload, 1000);
  const live = useLiveEvents({ type: 'task.created,task.started,task.finished', cronjobId: filter.cronjobId, namespace }, refresh);

  const set = (k: (typeof FILTERS)[number], v: string) => navigate(href('/tasks', { ...f, [k]: v }), true);
  const loadMore = async () => {
    const cursor = more?.next ?? list.data?.nextCursor;
    if (!cursor) return;
    const p = await api.tasks.list({ query: { ...filter, limit: PAGE, cursor } });
    setMore((m) => ({ items: [...(m?.items ?? []), ...p.items], next: p.nextCursor }));
  };
  const tasks = [...(list.data?.items ?? []), ...(more?.items ?? [])];
  const next = more ? more.next : list.data?.nextCursor;

  return (
    <div>
      <PageHeader title="Tasks">
        <span className={`live live-${live}`} title="live updates">
          {live}
        </span>
      </PageHeader>
      <div className="filters">
        <select aria-label="Job" value={f.cronjobId} onChange={(e) => set('cronjobId', e.target.value)}>
          <option value="">every job</option>
          {options.data?.jobs.map((j) => (
            <option key={j.id} value={j.id}>
              {j.name}
            </option>
          ))}
        </select>
        <select aria-label="Status" value={f.status} onChange={(e) => set('status', e.target.value)}>
          <option value="">every status</option>
          {TASK_STATUSES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select aria-label="Worker" value={f.workerId} onChange={(e) => set('workerId', e.target.value)}>
          <option value="">every worker</option>
          {options.data?.workers.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
        <label>
          due from <input type="datetime-local" aria-label="Due from" value={toLocal(f.since || null)} onChange={(e) => set('since', toIso(e.target.value) ?? '')} />
        </label>
        <label>
          until <input type="datetime-local" aria-label="Due until" value={toLocal(f.until || null)} onChange={(e) => set('until', toIso(e.target.value) ?? '')} />
        </label>
        {FILTERS.some((k) => f[k]) && (
          <a className="btn" href={href('/tasks')}>
            Clear
          </a>
        )}
      </div>
      <ErrorNote error={list.error} />
      <TasksTable tasks={tasks} reload={list.reload} showNamespace={mixed} workerNames={new Map(options.data?.workers.map((w) => [w.id, w.name]))} empty={list.data ? 'No task matches.' : null} />
      {next && (
        <button className="btn" onClick={() => void loadMore()}>
          More
        </button>
      )}
    </div>
  );
}
