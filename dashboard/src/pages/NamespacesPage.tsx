import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import type { Namespace } from '../api/types';
import { useLiveEvents, useResource, useThrottled } from '../app/hooks';
import { useNamespace } from '../app/namespace';
import { useAllowed } from '../app/role';
import { ActionButton, ErrorNote, Field, PageHeader, Time, TableCard } from '../components/ui';
import { useToast } from '../components/toasts';

/**
 * Namespaces: what each holds and runs against its quotas. An admin with a cluster-wide token
 * creates them, changes their quotas and deletes empty ones (the server says what a full one holds).
 */
export function NamespacesPage() {
  const scope = useNamespace();
  const canManage = useAllowed('admin') && scope.clusterWide;
  const list = useResource(() => api.namespaces.list(), []);
  const refresh = useThrottled(list.reload, 1000);
  const live = useLiveEvents({ type: 'cronjob.,workflow.,task.started,task.finished' }, refresh);
  const [editing, setEditing] = useState<Namespace | 'new' | null>(null);
  // The header's picker lists them too.
  const changed = () => {
    list.reload();
    scope.reload();
  };
  const items = list.data?.items ?? [];
  return (
    <div>
      <PageHeader title="Namespaces">
        <span className={`live live-${live}`} title="live updates">
          {live}
        </span>
        {canManage && (
          <button className="btn btn-primary" onClick={() => setEditing('new')} disabled={editing === 'new'}>
            New namespace
          </button>
        )}
      </PageHeader>
      {editing && (
        <NamespaceForm
          key={editing === 'new' ? '' : editing.name}
          namespace={editing === 'new' ? null : editing}
          onSaved={() => {
            setEditing(null);
            changed();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      <ErrorNote error={list.error} />
      <TableCard stack>
        <table className="table namespaces-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Cron jobs</th>
              <th>Running tasks</th>
              <th>Workflows</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((n) => (
              <tr key={n.name} data-namespace={n.name}>
                <td>
                  <span>{n.name}</span>
                  {n.name === scope.current && (
                    <span className="badge" title="the namespace the pages show (the header's pick)">
                      shown
                    </span>
                  )}
                  {n.description && <div className="muted small">{n.description}</div>}
                </td>
                <td data-testid="jobs-usage">
                  <Usage used={n.usage.jobs} max={n.maxJobs} />
                </td>
                <td data-testid="tasks-usage">
                  <Usage used={n.usage.runningTasks} max={n.maxConcurrentTasks} />
                </td>
                <td>{n.usage.workflows}</td>
                <td>
                  <Time iso={n.createdAt} />
                </td>
                <td className="actions">
                  {canManage && (
                    <button className="btn" onClick={() => setEditing(n)}>
                      Edit
                    </button>
                  )}
                  {canManage && n.name !== 'default' && (
                    <ActionButton
                      needs="admin"
                      label="Delete"
                      kind="danger"
                      confirm={`Delete namespace ${n.name}?`}
                      action={async () => {
                        await api.namespaces.remove({ params: { name: n.name } });
                        if (editing !== 'new' && editing?.name === n.name) setEditing(null);
                        changed();
                      }}
                      done={() => `namespace ${n.name} deleted`}
                    />
                  )}
                </td>
              </tr>
            ))}
            {list.data && items.length === 0 && (
              <tr>
                <td colSpan={6} className="empty">
                  No namespace is visible to this token.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </TableCard>
    </div>
  );
}

/** `3 / 10` with a meter, or `3 / no limit`. */
function Usage({ used, max }: { used: number; max: number | null }) {
  if (max === null) return <>{used} / no limit</>;
  const full = used >= max;
  return (
    <span className={full ? 'at-quota' : ''} title={full ? 'at its quota' : undefined}>
      <meter min={0} max={Math.max(1, max)} value={used} /> {used} / {max}
    </span>
  );
}

/** A quota as typed: empty is no limit. */
function quota(text: string, label: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${label}: must be a whole number, or empty for no limit`);
  return n;
}

function NamespaceForm({ namespace: ns, onSaved, onCancel }: { namespace: Namespace | null; onSaved: () => void; onCancel: () => void }) {
  const toast = useToast();
  const [name, setName] = useState(ns?.name ?? '');
  const [description, setDescription] = useState(ns?.description ?? '');
  const [maxJobs, setMaxJobs] = useState(ns?.maxJobs?.toString() ?? '');
  const [maxTasks, setMaxTasks] = useState(ns?.maxConcurrentTasks?.toString() ?? '');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaving(true);
    try {
      const body = { description: description.trim() || null, maxJobs: quota(maxJobs, 'Max cron jobs'), maxConcurrentTasks: quota(maxTasks, 'Max concurrent tasks') };
      const saved = ns ? await api.namespaces.update({ params: { name: ns.name }, body }) : await api.namespaces.create({ body: { name: name.trim(), ...body } });
      toast('ok', `namespace ${saved.name} ${ns ? 'saved' : 'created'}`);
      onSaved();
    } catch (err) {
      setError(err as Error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="card ns-form" onSubmit={submit} aria-label={ns ? `Edit namespace ${ns.name}` : 'New namespace'}>
      <h2>{ns ? `Edit ${ns.name}` : 'New namespace'}</h2>
      <ErrorNote error={error} />
      <div className="row row-top">
        <Field label="Name" hint={ns ? 'cannot be changed' : 'a-z, 0-9 and -, at most 63; cannot be changed'}>
          <input name="name" required value={name} readOnly={ns !== null} onChange={(e) => setName(e.target.value)} autoFocus={!ns} spellCheck={false} />
        </Field>
        <Field label="Description">
          <input name="description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <Field label="Max cron jobs" hint="empty: no limit">
          <input name="maxJobs" inputMode="numeric" value={maxJobs} onChange={(e) => setMaxJobs(e.target.value)} />
        </Field>
        <Field label="Max concurrent tasks" hint="more wait pending; empty: no limit">
          <input name="maxConcurrentTasks" inputMode="numeric" value={maxTasks} onChange={(e) => setMaxTasks(e.target.value)} />
        </Field>
      </div>
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={saving}>
          {saving ? 'Saving…' : ns ? 'Save' : 'Create'}
        </button>
        <button className="btn" type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
