import { isCronfleetApiError } from '@cronfleet/client';
import { api } from '../api/client';
import type { Readiness } from '../api/types';
import { useInterval, useLiveEvents, useResource, useThrottled } from '../app/hooks';
import { local } from '../app/format';
import { ActionButton, ErrorNote, PageHeader, Time } from '../components/ui';

/** Who dispatches, how far behind, and the cluster-wide pause switch; readiness of this instance. */
export function SchedulerPage() {
  const data = useResource(async () => {
    const [status, ready] = await Promise.all([api.scheduler.status(), readiness()]);
    return { status, ready };
  }, []);
  const refresh = useThrottled(data.reload, 500);
  useLiveEvents({ type: 'scheduler.leader' }, refresh);
  useInterval(data.reload, 2000);
  const s = data.data?.status;
  return (
    <div>
      <PageHeader title="Scheduler">
        {s &&
          (s.paused ? (
            <ActionButton label="Resume dispatching" kind="primary" action={async () => (await api.scheduler.start(), data.reload())} done={() => 'dispatching resumed'} />
          ) : (
            <ActionButton
              label="Pause dispatching"
              kind="danger"
              confirm="Stop dispatching on every server?"
              action={async () => (await api.scheduler.stop(), data.reload())}
              done={() => 'dispatching paused cluster-wide'}
            />
          ))}
      </PageHeader>
      <ErrorNote error={data.error} />
      {s && (
        <div className="cards">
          <section className="card">
            <h2>Leader</h2>
            <dl>
              <dt>Leader</dt>
              <dd data-testid="leader">{s.leader ?? <span className="error-text">none</span>}</dd>
              <dt>This server</dt>
              <dd>
                {s.instanceId} {s.isLeader ? '(leader)' : '(standby)'}
              </dd>
              <dt>Dispatching</dt>
              <dd>{s.paused ? <span className="error-text">paused</span> : 'running'}</dd>
              {s.isLeader && (
                <>
                  <dt>Epoch</dt>
                  <dd>{s.epoch}</dd>
                </>
              )}
            </dl>
          </section>
          <section className="card">
            <h2>Queue</h2>
            {s.isLeader ? (
              <dl>
                <dt>Lag</dt>
                <dd data-testid="lag">{s.lagMs === null ? '–' : `${Math.round(s.lagMs)} ms`}</dd>
                <dt>Heap</dt>
                <dd>{s.heapSize} due times</dd>
                <dt>Pending</dt>
                <dd>{s.pending} tasks waiting for a worker</dd>
                <dt>Next due</dt>
                <dd>
                  {local(s.nextDueAt)} {s.nextDueAt && <Time iso={s.nextDueAt} />}
                </dd>
              </dl>
            ) : (
              <p className="muted">Queue figures come from the leader; this server stands by. The /metrics of the leader has them too.</p>
            )}
          </section>
          <section className="card">
            <h2>Readiness</h2>
            <dl>
              {Object.entries(data.data!.ready.checks).map(([k, c]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd className={c.ok ? '' : 'error-text'}>{c.ok ? 'ok' : c.error}</dd>
                </div>
              ))}
            </dl>
          </section>
        </div>
      )}
    </div>
  );
}

/** This instance's readiness: `/readyz` answers 503 with the same body, naming the checks that failed. */
async function readiness(): Promise<Readiness> {
  try {
    return await api.health.ready(undefined, { retry: false });
  } catch (e) {
    if (isCronfleetApiError(e) && e.status === 503 && e.body) return e.body as Readiness;
    throw e;
  }
}
