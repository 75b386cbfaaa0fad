import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { Workflow, WorkflowRunSummary } from '../api/types';
import { useLiveEvents, useResource, useThrottled } from '../app/hooks';
import { useMixedNamespaces, useNamespaceFilter } from '../app/namespace';
import { href, navigate } from '../app/router';
import { ActionButton, ErrorNote, PageHeader, RunStrip, Time, TableCard } from '../components/ui';

const PAGE = 50;
const STRIP = 20;

/** Workflows: search, a strip of recent runs each, next due time, and run now. */
export function WorkflowsPage({ query }: { query: URLSearchParams }) {
  const q = query.get('q') ?? '';
  const [search, setSearch] = useState(q);
  const namespace = useNamespaceFilter();
  const mixed = useMixedNamespaces();
  const [pages, setPages] = useState<string[]>([]); // cursors of extra pages loaded with "More"
  useEffect(() => setPages([]), [q, namespace]);

  useEffect(() => {
    if (search === q) return;
    const t = window.setTimeout(() => navigate(href('/workflows', { q: search.trim() }), true), 300);
    return () => window.clearTimeout(t);
  }, [search, q]);

  const list = useResource(async () => {
    const filter = { namespace, q: q || undefined, limit: PAGE };
    const first = await api.workflows.list({ query: filter });
    const items = [...first.items];
    let next = first.nextCursor;
    for (const cursor of pages) {
      const p = await api.workflows.list({ query: { ...filter, cursor } });
      items.push(...p.items);
      next = p.nextCursor;
    }
    // One small read per workflow (there is no timeline route for workflows); one deleted meanwhile has none.
    const strips = await Promise.all(items.map((w) => api.workflows.runs({ params: { idOrName: String(w.id) }, query: { limit: STRIP } }).then((p) => p.items, () => [])));
    return { items, next, runs: new Map(items.map((w, i) => [w.id, strips[i]])) };
  }, [q, namespace, pages.join(',')]);

  const refresh = useThrottled(list.reload, 1000);
  const live = useLiveEvents({ type: 'workflow.', namespace }, refresh);

  return (
    <div>
      <PageHeader title="Workflows">
        <span className={`live live-${live}`} title="live updates">
          {live}
        </span>
      </PageHeader>
      <div className="filters">
        <input type="search" placeholder="Search by name" aria-label="Search workflows" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <ErrorNote error={list.error} />
      <TableCard stack>
        <table className="table workflows-table">
          <thead>
            <tr>
              <th>Name</th>
              {mixed && <th>Namespace</th>}
              <th>Schedule</th>
              <th>Steps</th>
              <th>Next run</th>
              <th>Recent runs</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((w) => <WorkflowRow key={w.id} workflow={w} runs={list.data?.runs.get(w.id) ?? []} showNamespace={mixed} />)}
            {list.data && list.data.items.length === 0 && (
              <tr>
                <td colSpan={mixed ? 7 : 6} className="empty">
                  {q ? 'No workflow matches.' : 'No workflows yet: apply one with the CLI (cronfleet workflows apply -f etl.yaml) or POST /api/v1/workflows.'}
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

function WorkflowRow({ workflow: w, runs, showNamespace }: { workflow: Workflow; runs: WorkflowRunSummary[]; showNamespace: boolean }) {
  const groups = w.steps.filter((s) => 'group' in s).length;
  return (
    <tr data-workflow={w.name} className={w.enabled ? '' : 'row-paused'}>
      <td>
        <a href={href(`/workflows/${w.id}`)}>{w.name}</a>
        {!w.enabled && <span className="badge badge-paused">disabled</span>}
        {w.description && <div className="muted small">{w.description}</div>}
      </td>
      {showNamespace && <td data-testid="namespace">{w.namespace}</td>}
      <td>
        {w.schedule ? (
          <>
            <code>{w.schedule}</code> <span className="muted">{w.timezone}</span>
          </>
        ) : (
          <span className="muted">on demand</span>
        )}
      </td>
      <td>
        {w.steps.length}
        {groups > 0 && <span className="muted"> ({groups} group{groups > 1 ? 's' : ''})</span>}
      </td>
      <td>{w.nextRunAt ? <Time iso={w.nextRunAt} /> : <span className="muted">–</span>}</td>
      <td>
        <RunStrip runs={runs} slots={STRIP} />
      </td>
      <td className="actions">
        <ActionButton label="Run now" action={() => api.workflows.run({ params: { idOrName: String(w.id) }, body: {} })} done={(r) => `${w.name}: run #${(r as { id: number }).id} started`} />
      </td>
    </tr>
  );
}
