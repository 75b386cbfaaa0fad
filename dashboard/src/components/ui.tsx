import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { elapsedMs, relativeTime } from '@cronfleet/shared/api';
import type { TaskStatus, TimelineRun, WorkflowRunSummary } from '../api/types';
import { href } from '../app/router';
import { formatDuration, local } from '../app/format';
import { useToast } from './toasts';
import { useAllowed, type Role } from '../app/role';
import { useNamespace } from '../app/namespace';

/**
 * A table in a card that scrolls sideways inside the card, never the page, when it is wider than the
 * screen. With `stack`, on a phone-width screen (styles.css) each row becomes a block of "label value"
 * lines, each cell labelled with its column's heading (copied from the table's head after each render).
 */
export function TableCard({ stack = false, children }: { stack?: boolean; children: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const table = stack ? box.current?.querySelector('table') : null;
    if (!table) return;
    const headings = Array.from(table.querySelectorAll('thead th'), (th) => th.textContent ?? '');
    for (const row of Array.from(table.querySelectorAll('tbody tr'))) {
      let column = 0;
      for (const cell of Array.from(row.children) as HTMLTableCellElement[]) {
        const label = cell.colSpan > 1 ? '' : (headings[column] ?? '');
        if (cell.dataset.label !== label) cell.dataset.label = label;
        column += cell.colSpan || 1;
      }
    }
  });
  return (
    <div ref={box} className={`table-card${stack ? ' table-stack' : ''}`}>
      {children}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

/** One square of a {@link Strip}. */
interface StripRun {
  key: number;
  href: string;
  status: string;
  title: string;
}

/** Latest runs as a strip of squares, oldest left (`runs` newest first), each a link. */
function Strip({ runs, slots }: { runs: readonly StripRun[]; slots: number }) {
  const shown = runs.slice(0, slots).reverse();
  const pad = Math.max(0, slots - shown.length);
  return (
    <span className="timeline" aria-label={`last ${shown.length} runs`}>
      {Array.from({ length: pad }, (_, i) => (
        <span key={`e${i}`} className="tl tl-empty" />
      ))}
      {shown.map((r) => (
        <a key={r.key} href={r.href} className={`tl tl-${r.status}`} data-status={r.status} title={r.title} />
      ))}
    </span>
  );
}

/** A cron job's latest tasks; each square links to its task. */
export function TimelineStrip({ runs, slots = 20 }: { runs: TimelineRun[]; slots?: number }) {
  const squares = runs.slice(0, slots).map((r) => ({
    key: r.taskId,
    href: href(`/tasks/${r.taskId}`),
    status: r.status as TaskStatus,
    title: `#${r.taskId} ${r.status} · due ${local(r.scheduledAt)} · ${formatDuration(elapsedMs(r.startedAt, r.finishedAt, Date.now()))}${r.exitCode !== null ? ` · exit ${r.exitCode}` : ''}`,
  }));
  return <Strip runs={squares} slots={slots} />;
}

/** A workflow's latest runs; each square links to its run. */
export function RunStrip({ runs, slots = 20 }: { runs: readonly WorkflowRunSummary[]; slots?: number }) {
  const squares = runs.slice(0, slots).map((r) => ({
    key: r.id,
    href: href(`/workflow-runs/${r.id}`),
    status: r.status,
    title: `run #${r.id} ${r.status} · ${r.trigger} · started ${local(r.startedAt)} · ${formatDuration(elapsedMs(r.startedAt, r.finishedAt, Date.now()))}`,
  }));
  return <Strip runs={squares} slots={slots} />;
}

/** The namespace an item lives in, as a tag beside its name (nothing on a server without namespaces). */
export function NamespaceTag({ name }: { name: string | undefined }) {
  if (!useNamespace().namespaces || !name) return null;
  return (
    <span className="chip ns-tag" title="namespace" data-testid="namespace">
      {name}
    </span>
  );
}

/** A worker by name, linking to its tasks: its id until the names are read, or once it was removed. */
export function WorkerLink({ id, names }: { id: number | null; names?: ReadonlyMap<number, string> }) {
  if (id === null) return <span className="muted">–</span>;
  const name = names?.get(id);
  return (
    <a className="worker-name" href={href('/tasks', { workerId: id })} title={name ? `${name} (worker #${id})` : `worker #${id}`}>
      {name ?? `#${id}`}
    </a>
  );
}

export function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">–</span>;
  return <time dateTime={iso} title={`${local(iso)} (${iso})`}>{relativeTime(iso, Date.now(), '–')}</time>;
}

export function ErrorNote({ error }: { error: Error | null }) {
  if (!error) return null;
  return (
    <div className="error-note" role="alert">
      {error.message}
    </div>
  );
}

/**
 * A button that runs an async action: disabled while it runs, a toast with the outcome. With
 * `confirm`, the first click asks ("Delete? yes / no") and only the second acts.
 */
export function ActionButton({
  label,
  action,
  done,
  confirm,
  kind = 'plain',
  disabled,
  title,
  needs = 'operator',
}: {
  /** The least role the server lets do this; below it the button is not shown. */
  needs?: Role;
  label: string;
  action: () => Promise<unknown>;
  done?: (result: unknown) => string | void;
  confirm?: string;
  kind?: 'plain' | 'primary' | 'danger';
  disabled?: boolean;
  title?: string;
}) {
  const toast = useToast();
  const allowed = useAllowed(needs);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);
  if (!allowed) return null;
  const run = async () => {
    setAsking(false);
    setBusy(true);
    try {
      const r = await action();
      const text = done?.(r);
      if (text) toast('ok', text);
    } catch (e) {
      toast('error', `${label}: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  if (asking)
    return (
      <span className="confirm">
        {confirm}{' '}
        <button className="btn btn-danger" onClick={run}>
          Yes
        </button>
        <button className="btn" onClick={() => setAsking(false)}>
          No
        </button>
      </span>
    );
  return (
    <button className={`btn btn-${kind}`} disabled={busy || disabled} title={title} onClick={() => (confirm ? setAsking(true) : void run())}>
      {busy ? `${label}…` : label}
    </button>
  );
}

export function Field({ label, hint, children, error }: { label: string; hint?: ReactNode; children: ReactNode; error?: string | null }) {
  return (
    <label className={`field${error ? ' field-error' : ''}`}>
      <span className="field-label">{label}</span>
      {children}
      {error ? <span className="field-message">{error}</span> : hint ? <span className="field-hint">{hint}</span> : null}
    </label>
  );
}

export function PageHeader({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      <div className="page-actions">{children}</div>
    </div>
  );
}
