import { api } from '../api/client';
import type { Worker } from '../api/types';
import { useInterval, useLiveEvents, useResource, useThrottled } from '../app/hooks';
import { bytes } from '../app/format';
import { useMixedNamespaces, useNamespaceFilter } from '../app/namespace';
import { href } from '../app/router';
import { ActionButton, ErrorNote, PageHeader, StatusBadge, Time, TableCard } from '../components/ui';

/** The fleet: who is online, how loaded, with what labels; drain one before maintenance; revoke or re-enrol one (admins). */
export function WorkersPage() {
  const namespace = useNamespaceFilter();
  const mixed = useMixedNamespaces();
  const list = useResource(() => api.workers.list({ query: { namespace } }), [namespace]);
  const refresh = useThrottled(list.reload, 1000);
  const live = useLiveEvents({ type: 'worker.,task.started,task.finished', namespace }, refresh);
  // Load and memory come with heartbeats, which are not events: refresh them every 5 s.
  useInterval(list.reload, 5000);
  const workers = list.data?.items ?? [];
  const online = workers.filter((w) => w.status === 'online').length;
  return (
    <div>
      <PageHeader title={`Workers (${online} online of ${workers.length})`}>
        <span className={`live live-${live}`}>{live}</span>
      </PageHeader>
      <ErrorNote error={list.error} />
      <TableCard stack>
        <table className="table workers-table">
          <thead>
            <tr>
              <th>Name</th>
              {mixed && <th>Namespace</th>}
              <th>Status</th>
              <th>Credential</th>
              <th>Tasks</th>
              <th>Memory</th>
              <th>Runners, labels</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {workers.map((w) => (
              <WorkerRow key={w.id} w={w} reload={list.reload} showNamespace={mixed} />
            ))}
            {list.data && workers.length === 0 && (
              <tr>
                <td colSpan={mixed ? 8 : 7} className="empty">
                  No worker has joined yet: start one on a host with `cronfleet-worker --server URL --token WORKER_TOKEN`.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </TableCard>
    </div>
  );
}

function WorkerRow({ w, reload, showNamespace }: { w: Worker; reload: () => void; showNamespace: boolean }) {
  const load = w.stats?.loadPerCpu ?? null;
  const used = w.stats ? w.stats.hostTotalMemoryBytes - w.stats.hostFreeMemoryBytes : null;
  return (
    <tr data-worker={w.name}>
      <td>
        <a className="worker-name" href={href('/tasks', { workerId: w.id })} title={w.name}>
          {w.name}
        </a>
        <div className="muted small">
          {w.hostname} · v{w.version}
        </div>
      </td>
      {showNamespace && <td data-testid="namespace">{w.namespace ?? <span className="muted" title="runs the tasks of every namespace">all</span>}</td>}
      <td>
        <StatusBadge status={w.status} />
        {w.draining && <span className="badge badge-draining">{w.drained ? 'drained' : 'draining'}</span>}
        <div className="muted small" title="its last heartbeat">
          heard <Time iso={w.lastHeartbeatAt} />
        </div>
        {w.stats?.lastError && (
          <div className="small last-error" data-testid="last-error">
            <span className="muted">
              last error <Time iso={new Date(w.stats.lastError.atMs).toISOString()} />:
            </span>{' '}
            <span className="error-text">
              {w.stats.lastError.code}: {w.stats.lastError.message}
            </span>
          </div>
        )}
      </td>
      <td>
        <Enrolment w={w} />
      </td>
      <td>
        <meter min={0} max={Math.max(1, w.capacity)} value={w.running} /> {w.running}/{w.capacity}
        <div className="muted small" title="the host's 1-minute load average per CPU">
          load {load === null ? '–' : <span className={load > 1 ? 'error-text' : ''}>{load.toFixed(2)}</span>} per CPU
        </div>
      </td>
      <td>
        {w.stats ? (
          <>
            {bytes(w.stats.rssBytes)} <span className="muted small">worker + tasks</span>
            <div className="muted small" data-testid="host-memory">
              host: {bytes(used)} used of {bytes(w.stats.hostTotalMemoryBytes)}
            </div>
          </>
        ) : (
          '–'
        )}
      </td>
      <td>
        {w.runners.join(', ')}
        {Object.keys(w.labels).length > 0 && (
          <div>
            {Object.entries(w.labels).map(([k, v]) => (
              <span key={k} className="chip">
                {k}={v}
              </span>
            ))}
          </div>
        )}
      </td>
      <td className="actions">
        {w.status !== 'offline' &&
          (w.draining ? (
            <ActionButton label="Undrain" action={async () => (await api.workers.undrain({ params: { id: w.id } }), reload())} done={() => `${w.name} takes tasks again`} />
          ) : (
            <ActionButton label="Drain" action={async () => (await api.workers.drain({ params: { id: w.id } }), reload())} done={() => `${w.name} takes no new tasks`} />
          ))}
        {w.enrolment.state !== 'revoked' && (
          <ActionButton
            needs="admin"
            label="Revoke"
            kind="danger"
            confirm={`Revoke ${w.name}? Its connection is cut and it cannot join again until re-enrolled.`}
            action={async () => (await api.workers.revoke({ params: { id: w.id } }), reload())}
            done={() => `${w.name} revoked`}
          />
        )}
        {w.enrolment.state !== 'open' && w.status !== 'online' && (
          <ActionButton
            needs="admin"
            label="Re-enrol"
            confirm={`Re-enrol ${w.name}? Its next hello with the worker token is issued a new credential; the old one stops working.`}
            action={async () => (await api.workers.reenrol({ params: { id: w.id } }), reload())}
            done={() => `${w.name} may enrol again: start it with the worker token`}
          />
        )}
        {w.status === 'offline' && (
          <ActionButton needs="admin" label="Remove" kind="danger" confirm={`Forget ${w.name}?`} action={async () => (await api.workers.remove({ params: { id: w.id } }), reload())} done={() => `${w.name} removed`} />
        )}
      </td>
    </tr>
  );
}

const ENROLMENT_HINT = {
  enrolled: 'its hellos must carry the credential issued at its enrolment, kept in its state directory',
  open: 'its next hello with the worker token is issued a credential',
  revoked: 'revoked by an admin: its hellos are refused until it is re-enrolled',
} as const;

/** The state of its credential, with when it was issued or revoked; never the credential. */
function Enrolment({ w }: { w: Worker }) {
  const e = w.enrolment;
  const since = e.state === 'enrolled' ? e.enrolledAt : e.state === 'revoked' ? e.revokedAt : null;
  return (
    <>
      <span className={`badge badge-credential-${e.state}`} title={ENROLMENT_HINT[e.state]}>
        {e.state}
      </span>
      {since && (
        <div className="muted small">
          <Time iso={since} />
        </div>
      )}
    </>
  );
}
