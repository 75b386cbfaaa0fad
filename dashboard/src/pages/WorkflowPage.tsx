import { useMemo, useState } from 'react';
import { wallClock } from '@cronfleet/shared/api';
import { api } from '../api/client';
import type { Workflow } from '../api/types';
import { useLiveEvents, useResource, useThrottled } from '../app/hooks';
import { useNamespaceFilter } from '../app/namespace';
import { definitionLines } from '../app/workflow-format';
import { WorkflowRunButton } from '../components/RunDialog';
import { RunsTable } from '../components/RunsTable';
import { WorkflowDag, type DagStepView } from '../components/WorkflowDag';
import { ErrorNote, NamespaceTag, PageHeader, Time } from '../components/ui';

const RUNS = 25;

/** One workflow: its definition drawn as a graph (a step's definition on click), its runs, run now. */
export function WorkflowPage({ idOrName }: { idOrName: string }) {
  const [pages, setPages] = useState<string[]>([]);
  // A name (in a typed or shared URL) is looked up in the picked namespace; an id is found in any.
  const picked = useNamespaceFilter();
  const namespace = /^\d+$/.test(idOrName) ? undefined : picked;
  const data = useResource(async () => {
    const [workflow, first] = await Promise.all([api.workflows.get({ params: { idOrName }, query: { namespace } }), api.workflows.runs({ params: { idOrName }, query: { namespace, limit: RUNS } })]);
    const runs = [...first.items];
    let next = first.nextCursor;
    for (const cursor of pages) {
      const p = await api.workflows.runs({ params: { idOrName }, query: { namespace, limit: RUNS, cursor } });
      runs.push(...p.items);
      next = p.nextCursor;
    }
    return { workflow, runs, next };
  }, [idOrName, namespace, pages.join(',')]);
  const refresh = useThrottled(data.reload, 1000);
  const id = data.data?.workflow.id;
  useLiveEvents({ type: 'workflow.' }, (m) => {
    if (m.event === 'connected') return refresh();
    if (id === undefined || ('workflowId' in m.data && m.data.workflowId === id)) refresh();
  });
  const [selected, setSelected] = useState<string | null>(null);

  const w = data.data?.workflow;
  const steps = useMemo<DagStepView[]>(
    () => (w?.steps ?? []).map((s) => ({ id: s.id, dependsOn: s.dependsOn, when: s.when, kind: 'group' in s ? 'group' : 'task', lines: definitionLines(s) })),
    [w],
  );
  if (!w) return <ErrorNote error={data.error} />;
  const step = w.steps.find((s) => s.id === selected);
  return (
    <div>
      <PageHeader
        title={
          <>
            {w.name} <NamespaceTag name={w.namespace} />
            {!w.enabled && <span className="badge badge-paused">disabled</span>}
          </>
        }
      >
        <WorkflowRunButton workflow={w} />
      </PageHeader>
      <ErrorNote error={data.error} />
      <Summary workflow={w} />
      <h2>
        Steps <span className="muted small">click a step for its definition</span>
      </h2>
      <WorkflowDag steps={steps} label={`steps of ${w.name}`} selected={selected} onSelect={(s) => setSelected((cur) => (cur === s ? null : s))} />
      {step && (
        <section className="card step-detail" data-testid="step-definition">
          <h2>{step.id}</h2>
          <pre className="spec">{JSON.stringify(step, null, 2)}</pre>
        </section>
      )}
      <h2>Runs</h2>
      <RunsTable runs={data.data!.runs} reload={data.reload} />
      {data.data!.next && (
        <button className="btn" onClick={() => setPages((p) => [...p, data.data!.next!])}>
          More
        </button>
      )}
    </div>
  );
}

function Summary({ workflow: w }: { workflow: Workflow }) {
  return (
    <section className="card">
      <dl className="columns">
        <dt>Schedule</dt>
        <dd>
          {w.schedule ? (
            <>
              <code>{w.schedule}</code> {w.timezone}
            </>
          ) : (
            'on demand only'
          )}
        </dd>
        <dt>Next run</dt>
        <dd>
          {w.nextRunAt ? (
            <>
              {wallClock(w.nextRunAt, w.timezone)} <span className="muted">(<Time iso={w.nextRunAt} />)</span>
            </>
          ) : (
            <span className="muted">{w.schedule && !w.enabled ? 'disabled' : '–'}</span>
          )}
        </dd>
        <dt>Description</dt>
        <dd>{w.description ?? <span className="muted">–</span>}</dd>
        <dt>Updated</dt>
        <dd>
          <Time iso={w.updatedAt} />
        </dd>
      </dl>
    </section>
  );
}
