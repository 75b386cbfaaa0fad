import { useId, useMemo, type KeyboardEvent } from 'react';
import { STEP_STATES, type StepState, type StepWhen } from '../api/types';
import { layoutDag } from '../app/dag-layout';

/** One step as the drawing needs it; the pages say what its lines read. */
export interface DagStepView {
  id: string;
  dependsOn: readonly string[];
  when: StepWhen;
  kind: 'task' | 'group';
  /** Two short lines under the id. */
  lines: readonly [string, string];
  /** A run's step; none in a definition's drawing. */
  state?: StepState;
}

const WHEN_LABEL: Record<StepWhen, string> = { success: '', failure: 'on failure', always: 'always' };
// What fits in a node at the default width (the id is bold and larger); the whole text is in its tooltip.
const clip = (s: string, max = 30) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * A workflow's steps as a left-to-right graph (layout: app/dag-layout.ts). An edge takes the style of
 * the `when` of the step it leads to: solid for success, dashed red for failure, dotted for always;
 * such a step is tagged "on failure" or "always" above its box (between columns there is no room for
 * a label per edge). A group is drawn as a stacked card. Clicking (or Enter on) a step calls `onSelect`.
 */
export function WorkflowDag({ steps, selected, onSelect, label }: { steps: readonly DagStepView[]; selected?: string | null; onSelect?: (id: string) => void; label: string }) {
  // Laid out again only when the graph changes, not when a state or a duration does.
  const shape = steps.map((s) => `${s.id}\n${s.dependsOn.join('\n')}`).join('\n\n');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const layout = useMemo(() => layoutDag(steps), [shape]);
  const uid = useId().replace(/[^\w-]/g, '');
  const byId = new Map(steps.map((s) => [s.id, s]));
  const key = (id: string) => (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect?.(id);
    }
  };
  return (
    <div className="dag-scroll">
      <svg className="dag" width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="group" aria-label={label} data-testid="dag">
        <defs>
          {(['success', 'failure', 'always'] as const).map((w) => (
            <marker key={w} id={`${uid}-${w}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" className={`dag-arrow dag-arrow-${w}`} />
            </marker>
          ))}
        </defs>
        {layout.edges.map((e) => {
          const to = byId.get(e.to)!;
          return (
            <g key={`${e.from}\n${e.to}`} className={`dag-edge dag-edge-${to.when}${to.state === 'skipped' ? ' dag-edge-dim' : ''}`} data-from={e.from} data-to={e.to} data-when={to.when}>
              <title>{`${e.from} → ${e.to}${WHEN_LABEL[to.when] ? ` (${WHEN_LABEL[to.when]})` : ''}`}</title>
              <path d={e.path} markerEnd={`url(#${uid}-${to.when})`} />
            </g>
          );
        })}
        {layout.nodes.map((n) => {
          const s = byId.get(n.id)!;
          const state = s.state ?? 'definition';
          return (
            <g
              key={n.id}
              className={`dag-node dag-node-${s.kind} dag-state-${state}${selected === n.id ? ' dag-selected' : ''}${onSelect ? ' dag-clickable' : ''}`}
              transform={`translate(${n.x},${n.y})`}
              data-step={n.id}
              data-state={s.state}
              data-column={n.column}
              role={onSelect ? 'button' : undefined}
              tabIndex={onSelect ? 0 : undefined}
              aria-pressed={onSelect ? selected === n.id : undefined}
              aria-label={`step ${n.id}${s.state ? `: ${s.state}` : ''}`}
              onClick={onSelect && (() => onSelect(n.id))}
              onKeyDown={onSelect && key(n.id)}
            >
              <title>{[n.id, ...s.lines].filter(Boolean).join('\n')}</title>
              {s.kind === 'group' && <rect className="dag-stack" x={5} y={-5} width={n.width} height={n.height} rx={7} />}
              <rect className="dag-box" width={n.width} height={n.height} rx={7} />
              <rect className="dag-bar" width={5} height={n.height} rx={2} />
              {WHEN_LABEL[s.when] && (
                <text x={n.width - 4} y={-5} textAnchor="end" className={`dag-when dag-when-${s.when}`}>
                  {WHEN_LABEL[s.when]}
                </text>
              )}
              <text x={14} y={20} className="dag-id">
                {clip(n.id, 24)}
              </text>
              <text x={14} y={38} className="dag-line">
                {clip(s.lines[0])}
              </text>
              <text x={14} y={55} className="dag-line dag-status">
                {clip(s.lines[1])}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

export function StateLegend() {
  return (
    <ul className="dag-legend" aria-label="step states">
      {STEP_STATES.map((s) => (
        <li key={s}>
          <span className={`dag-swatch dag-state-${s}`} />
          {s}
        </li>
      ))}
      <li>
        <span className="dag-line-sample dag-edge-failure" /> on failure
      </li>
      <li>
        <span className="dag-line-sample dag-edge-always" /> always
      </li>
    </ul>
  );
}
